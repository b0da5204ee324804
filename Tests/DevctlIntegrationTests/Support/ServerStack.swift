import DevctlTestSupport
import Foundation
import Testing

/// A real stack of third-party servers from Debian's packages — postgres, redis-server and nginx
/// with two workers — in a folder of its own, run as an ordinary user (postgres refuses root), in
/// either of the forms users write: in the foreground, or daemonizing themselves (`pg_ctl start`,
/// `redis-server --daemonize yes`, nginx's default `daemon on`).
struct ServerStack {
    enum Form: String, Sendable, CaseIterable { case foreground, daemonizing }

    let project: TestProject
    let user: TestUser
    let form: Form
    let ports: (postgres: Int, redis: Int, nginx: Int)

    /// Where postgres's binaries are (`/usr/lib/postgresql/15/bin`); nil when not installed.
    static let postgresBin: String? = {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted()
        return versions.last.map { "\(base)/\($0)/bin" }.flatMap { FileManager.default.fileExists(atPath: $0 + "/postgres") ? $0 : nil }
    }()

    /// CI requires the servers (`DEVCTL_REQUIRE_SERVERS=1`): a missing one fails instead of skipping.
    static let isRequired = ProcessInfo.processInfo.environment["DEVCTL_REQUIRE_SERVERS"] == "1"

    /// Whether the servers are installed (`.ci/run` installs them).
    static var isInstalled: Bool {
        postgresBin != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx")
    }

    /// Lays out the stack's folders, initialises the database as the user, and writes services.json.
    init(form: Form, containment: String, user: TestUser) throws {
        self.form = form
        self.user = user
        ports = (FreePort.next(), FreePort.next(), FreePort.next())
        project = TestProject("{}")
        let root = project.root
        for folder in ["redis", "nginx", "nginx/tmp", "pgsocket"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        project.write("nginx/nginx.conf", Self.nginxConfig(prefix: root + "/nginx", port: ports.nginx))
        let chown = DevctlRunner.run(["-c", "chown -R \(user.uid):\(user.gid) '\(root)'"], directory: "/",
                                     environment: project.environment, shell: true)
        try #require(chown.exitCode == 0, "\(chown)")
        let bin = try #require(Self.postgresBin)
        let initdb = DevctlRunner.run(["-c", user.shell("'\(bin)/initdb' -D '\(root)/pgdata' -A trust -U postgres --no-sync >/dev/null")],
                                      directory: root, environment: project.environment, shell: true)
        try #require(initdb.exitCode == 0, "\(initdb)")
        project.write("services.json", servicesJSON(containment: containment, bin: bin))
        user.own(root + "/services.json")
    }

    private func servicesJSON(containment: String, bin: String) -> String {
        let root = project.root
        let postgresOptions = "-k \(root)/pgsocket -p \(ports.postgres) -c listen_addresses=127.0.0.1"
        let (pg, redis, nginx): (String, String, String) = switch form {
        case .foreground:
            (#"["\#(bin)/postgres", "-D", "\#(root)/pgdata", "-k", "\#(root)/pgsocket", "-p", "\#(ports.postgres)", "-c", "listen_addresses=127.0.0.1"]"#,
             #"["redis-server", "--port", "\#(ports.redis)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", "\#(root)/redis", "--daemonize", "no"]"#,
             #"["nginx", "-p", "\#(root)/nginx", "-c", "\#(root)/nginx/nginx.conf", "-e", "\#(root)/nginx/error.log", "-g", "daemon off;"]"#)
        case .daemonizing:
            (#"["\#(bin)/pg_ctl", "-D", "\#(root)/pgdata", "-l", "\#(root)/pg.log", "-w", "-o", "\#(postgresOptions)", "start"]"#,
             #"["redis-server", "--port", "\#(ports.redis)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", "\#(root)/redis", "--daemonize", "yes", "--pidfile", "\#(root)/redis/redis.pid"]"#,
             #"["nginx", "-p", "\#(root)/nginx", "-c", "\#(root)/nginx/nginx.conf", "-e", "\#(root)/nginx/error.log"]"#)
        }
        return #"""
        {"containment": "\#(containment)", "stopTimeout": 10, "services": [
          {"name": "pg", "command": \#(pg), "stopSignal": "INT", "healthcheck": {"tcp": \#(ports.postgres), "timeout": 60}},
          {"name": "redis", "command": \#(redis), "healthcheck": {"tcp": \#(ports.redis), "timeout": 30}},
          {"name": "nginx", "command": \#(nginx), "stopSignal": "QUIT", "dependsOn": ["redis"], "healthcheck": {"tcp": \#(ports.nginx), "timeout": 30}}]}
        """#
    }

    private static func nginxConfig(prefix: String, port: Int) -> String {
        """
        worker_processes 2;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/error.log;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path \(prefix)/tmp; proxy_temp_path \(prefix)/tmp; fastcgi_temp_path \(prefix)/tmp;
            uwsgi_temp_path \(prefix)/tmp; scgi_temp_path \(prefix)/tmp;
            server { listen 127.0.0.1:\(port); location / { return 200 "ok"; } }
        }
        """
    }

    /// The user's live processes whose command starts with `name` (a server's own title).
    func processes(named name: String) -> [KernelProcessEntry] {
        user.processes.filter { ($0.arguments.first ?? "").contains(name) || $0.commandLine.hasPrefix(name) }
    }

    /// Whether nothing listens on any of the stack's ports.
    var portsAreFree: Bool {
        [ports.postgres, ports.redis, ports.nginx].allSatisfy { KernelPortListeners.sockets(on: $0).isEmpty }
    }

    /// What postgres wrote: the devctl log of `pg` in the foreground, pg_ctl's log file otherwise.
    var postgresLog: String {
        project.read(form == .foreground ? ".pids/logs/pg.log" : "pg.log") ?? ""
    }
}
