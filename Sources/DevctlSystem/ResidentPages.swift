#if canImport(Glibc)
import Glibc
#endif

/// Lets go of the pages of this process's own executable code: `madvise(MADV_DONTNEED)` over its
/// `r-xp` mappings, which nothing ever writes (read-only data is left alone: the loader writes the
/// relocations of its RELRO part, and dropping those pages would undo them). The pages stay in the
/// page cache and come back on the next touch, so nothing changes but the resident set: a lone
/// keeper, whose binary no other process maps, otherwise keeps every page its start-up touched
/// (the kernel maps 64 KiB around each fault) counted as its own private memory.
public enum ResidentPages {
    /// Returns how many bytes of code were released; failures only leave pages mapped.
    @discardableResult
    public static func releaseExecutable() -> Int {
        guard let executable = FileSystem.readLink("/proc/self/exe"),
              let maps = FileSystem.readBytes("/proc/self/maps", limit: 1 << 20) else { return 0 }
        // Every range first, then the calls: code that ran after the first madvise would only fault
        // its pages straight back in.
        var ranges = [(address: UnsafeMutableRawPointer, length: Int)]()
        for line in maps.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard fields.count >= 6, String(decoding: Array(fields[5...].joined(separator: [UInt8(ascii: " ")])), as: UTF8.self) == executable,
                  Array(fields[1]) == Array("r-xp".utf8) else { continue }
            let range = fields[0].split(separator: UInt8(ascii: "-"))
            guard range.count == 2, let start = UInt(String(decoding: range[0], as: UTF8.self), radix: 16),
                  let end = UInt(String(decoding: range[1], as: UTF8.self), radix: 16), end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            ranges.append((address, Int(end - start)))
        }
        var released = 0
        for range in ranges where madvise(range.address, range.length, MADV_DONTNEED) == 0 { released += range.length }
        return released
    }
}
