/// The intervals `+` and `-` step through for new clients.
public enum ClientIntervals {
    public static let steps: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10]

    public static func faster(than interval: Double) -> Double {
        steps.last { $0 < interval } ?? steps[0]
    }

    public static func slower(than interval: Double) -> Double {
        steps.first { $0 > interval } ?? steps[steps.count - 1]
    }
}
