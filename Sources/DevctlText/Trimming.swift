extension StringProtocol {
    /// The text without any of `characters` at either end, for line-based formats (the tracking
    /// files, Procfiles) read by layers that do not load Foundation.
    public func trimming(_ characters: String) -> String {
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text.removeFirst() }
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return String(text)
    }
}
