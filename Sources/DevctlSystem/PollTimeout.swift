extension Duration {
    /// The duration as `poll(2)`'s timeout: whole milliseconds rounded up (so a wait never wakes
    /// just before its deadline to spin once more), never negative.
    public var pollTimeout: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1))
    }
}
