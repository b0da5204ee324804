import DevctlSupervision
#if canImport(Glibc)
import Glibc
#endif

exit(Keeper.main(arguments: CommandLine.arguments))
