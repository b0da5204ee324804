import CDevctlShims
#if canImport(Glibc)
import Glibc
#endif

/// How wide the terminal is, so that tables can fit it instead of wrapping.
public enum TerminalSize {
    /// The width in columns of the terminal `fd` is on (`TIOCGWINSZ`), or nil when `fd` is no
    /// terminal or the terminal does not say.
    public static func columns(of fd: Int32) -> Int? {
        let columns = devctl_terminal_columns(fd)
        return columns > 0 ? Int(columns) : nil
    }
}
