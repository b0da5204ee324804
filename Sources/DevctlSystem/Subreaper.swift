import CDevctlShims

/// Makes this process the child subreaper of its descendants, as a keeper must be: whatever its
/// service forks and orphans (a daemon's double fork included) is reparented to the keeper, which
/// reaps it, so no zombie lingers and "the service has no process left" is `waitpid`'s ECHILD.
public enum Subreaper {
    public static func enable() throws(SystemCallError) {
        try systemCall("prctl(PR_SET_CHILD_SUBREAPER)") { devctl_become_subreaper() }
    }
}
