#if canImport(Glibc)
import Glibc
#endif

exit(Bench.main(arguments: Array(CommandLine.arguments.dropFirst())))
