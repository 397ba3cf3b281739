/// The first `k` of `count` items in the order `areInIncreasingOrder` gives their indices,
/// without sorting the rest: a frame at 10,000 connections shows a handful of rows, so it
/// pays O(n·log k) (mostly one comparison per item) instead of a full sort. Working on
/// indices keeps the rows themselves from being copied.
enum TopK {
    static func indices(count: Int, k: Int, by areInIncreasingOrder: (Int, Int) -> Bool) -> [Int] {
        guard k > 0, count > 0 else { return [] }
        if k >= count / 4 {
            return Array((0..<count).sorted(by: areInIncreasingOrder).prefix(k))
        }
        // A sorted window of the best k so far; most items lose to its last one.
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for index in 0..<count {
            if best.count == k, !areInIncreasingOrder(index, best[k - 1]) { continue }
            var low = 0, high = best.count
            while low < high {
                let mid = (low + high) / 2
                if areInIncreasingOrder(index, best[mid]) { high = mid } else { low = mid + 1 }
            }
            best.insert(index, at: low)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
