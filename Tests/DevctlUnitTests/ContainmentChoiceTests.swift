import Testing
@testable import DevctlConfig
@testable import DevctlLifecycle
@testable import DevctlProcesses

/// Which containment a project gets, from the facts of the machine: pure, rule by rule.
@Suite struct ContainmentChoiceTests {
    static let hierarchy = CgroupHierarchy(mount: "/sys/fs/cgroup", ownCgroup: "/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope")
    static let marker = "shop-0123456789abcdef"
    static func facts(writable: Bool = true, systemd: Bool = false, delegated: Bool = false,
                      hierarchy: CgroupHierarchy? = hierarchy) -> Containment.Facts {
        Containment.Facts(hierarchy: hierarchy, ownCgroupWritable: writable, systemdManaged: systemd, delegated: delegated)
    }

    @Test func sessionWhenAskedOrWithoutAWritableHierarchy() {
        #expect(Containment.choose(.session, facts: Self.facts(), marker: Self.marker, recorded: []).name == "session")
        #expect(Containment.choose(.auto, facts: Self.facts(hierarchy: nil), marker: Self.marker, recorded: [])
                == .session(reason: "no cgroup v2 hierarchy is mounted"))
        guard case .session(let reason) = Containment.choose(.auto, facts: Self.facts(writable: false), marker: Self.marker, recorded: [])
        else { Issue.record("cgroups without write access"); return }
        #expect(reason.contains("may not create cgroups"))
    }

    @Test func underSystemdOnlyADelegatedCgroupIsWrittenTo() {
        guard case .session(let reason) = Containment.choose(.auto, facts: Self.facts(systemd: true), marker: Self.marker, recorded: [])
        else { Issue.record("wrote into a terminal's scope systemd manages"); return }
        #expect(reason.contains("systemd-run --user --scope -p Delegate=yes"))
        let delegated = Containment.choose(.auto, facts: Self.facts(systemd: true, delegated: true), marker: Self.marker, recorded: [])
        #expect(delegated.cgroups?.home.path == "/sys/fs/cgroup" + Self.hierarchy.ownCgroup + "/devctl-" + Self.marker)
    }

    @Test func theProjectsCgroupsSitInOneFolderNamedAfterItsMarker() throws {
        let cgroups = try #require(Containment.choose(.cgroup, facts: Self.facts(), marker: Self.marker, recorded: []).cgroups)
        #expect(cgroups.home.path.hasSuffix("/run-1.scope/devctl-shop-0123456789abcdef"))
        #expect(cgroups.folder(forService: "web").path == cgroups.home.path + "/web")
        #expect(cgroups.cgroupPath(of: cgroups.folder(forService: "web")) == Self.hierarchy.ownCgroup + "/devctl-" + Self.marker + "/web")
    }

    @Test func onlyRecordedFoldersOfThisProjectInsideTheHierarchyAreBelieved() throws {
        let other = "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/devctl-" + Self.marker
        let recorded = [other, "/sys/fs/cgroup/system.slice", "/tmp/devctl-" + Self.marker,
                        "/sys/fs/cgroup/devctl-shop-ffffffffffffffff", "/sys/fs/cgroup/x/../devctl-" + Self.marker]
        let cgroups = try #require(Containment.choose(.auto, facts: Self.facts(), marker: Self.marker, recorded: recorded).cgroups)
        #expect(cgroups.folders.map(\.path) == [cgroups.home.path, other])
    }
}
