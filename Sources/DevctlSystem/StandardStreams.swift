#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// Writes `text` and a newline to `fd`, ignoring failure: for a last word on a stream that
    /// may already be gone (the keeper's answer to a `start` that was killed).
    public static func writeLine(_ fd: Int32, _ text: String) {
        try? writeAll(fd, Array((text + "\n").utf8), path: "descriptor \(fd)")
    }

    /// Points standard input, output and error at `/dev/null`: a process that outlives the command
    /// that started it must not hold that command's pipe or terminal open.
    public static func detachStandardStreams() {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { return }
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] { dup2(null, fd) }
        close(null)
    }
}
