import SelectCore

/// What every pane needs besides its rectangle: the model, the words, the symbols.
struct RenderContext {
    let model: DashboardModel
    let labels: Labels
    let glyphs: Glyphs
    /// The language drawn: the model's, but English where the terminal cannot draw Chinese
    /// (a locale without UTF-8): our own text never comes out as `????`.
    let language: Language

    init(_ model: DashboardModel) {
        self.model = model
        self.language = model.asciiOnly ? .en : model.language
        self.labels = Labels(language)
        self.glyphs = Glyphs(ascii: model.asciiOnly)
    }

    var server: ServerSnapshot { model.server }
    var ellipsis: String { glyphs.ellipsis }

    /// The readiness call the backend makes, as a student would look it up.
    var callName: String {
        switch server.backend {
        case .select: return "select()"
        case .poll: return "poll()"
        case .epoll: return "epoll_wait()"
        }
    }

    /// How a listed fd is described: the listener marked, a connection by its peer.
    func describe(fd: Int32) -> [Span] {
        if fd == server.listener {
            return [Span(labels[.listener] + " ", .listener), Span(server.listenAddress.description, .listener)]
        }
        if let peer = server.peer(of: fd) { return [Span(peer.description)] }
        return [Span("?", .dim)]
    }
}
