import DevctlCLI
#if canImport(Glibc)
import Glibc
#endif

exit(Devctl.main(arguments: Array(CommandLine.arguments.dropFirst())))
