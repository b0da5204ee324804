import DevctlSystem
import DevctlText
/// The services.json files `devctl init` writes: a small working example, or one service per
/// Procfile line. JSON has no comments, so the text is laid out to be read and edited — one
/// service per line, like the README's configuration reference.
public enum ServicesTemplate {
    /// One service of the file, in the order its keys are written.
    public struct Service: Sendable {
        public var name: String
        public var command: JSONText
        /// The keys after `name` and `command`.
        public var extra: [(String, JSONText)] = []

        public init(name: String, command: JSONText, extra: [(String, JSONText)] = []) {
            self.name = name
            self.command = command
            self.extra = extra
        }
    }

    /// The `PORT` foreman gives the process of the Procfile's `index`th line (from 0): 5000 for
    /// the first and 100 more for each next one.
    public static func port(forEntryAt index: Int) -> Int { 5000 + 100 * index }

    /// A web server with an HTTP health check and a worker that waits for it: the shape of most
    /// projects, and it runs wherever python3 does.
    public static func starter(project: String, envFile: String?) -> String {
        let env = envFile.map { [("envFile", JSONText.string($0))] } ?? []
        return render(project: project, services: [
            Service(name: "web", command: .array(["python3", "-m", "http.server", "8000", "--bind", "127.0.0.1"].map(JSONText.string)),
                    extra: env + [("healthcheck", .object([("http", .string("http://127.0.0.1:8000/"))]))]),
            Service(name: "worker", command: .string("while true; do echo \"worker: tick\"; sleep 5; done"),
                    extra: env + [("dependsOn", .array([.string("web")]))]),
        ])
    }

    /// One service per Procfile entry, its command run by the shell as foreman runs it. Every
    /// entry gets the `PORT` foreman and honcho would give it, whether its command names `$PORT`
    /// or its program reads it from the environment (gunicorn, puma, node apps); a command that
    /// names it is expected to listen there, so it gets a `tcp` health check on that port.
    public static func services(from procfile: Procfile, envFile: String?) -> [Service] {
        procfile.entries.enumerated().map { index, entry in
            let port = Self.port(forEntryAt: index)
            var extra = envFile.map { [("envFile", JSONText.string($0))] } ?? []
            extra.append(("env", .object([("PORT", .string(String(port)))])))
            if usesPort(entry.command) {
                extra.append(("healthcheck", .object([("tcp", .int(port))])))
            }
            return Service(name: entry.name, command: .string(entry.command), extra: extra)
        }
    }

    /// Whether a shell command names `$PORT` (or `${PORT…}`), so is expected to listen on it.
    public static func usesPort(_ command: String) -> Bool {
        var rest = command[...]
        while let dollar = rest.firstIndex(of: "$") {
            rest = rest[rest.index(after: dollar)...]
            let name = rest.hasPrefix("{") ? rest.dropFirst() : rest
            if name.hasPrefix("PORT"), !(name.dropFirst(4).first.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false) {
                return true
            }
        }
        return false
    }

    public static func render(project: String, services: [Service]) -> String {
        let lines = services.map { service in
            let fields = [("name", JSONText.string(service.name)), ("command", service.command)] + service.extra
            return "    { " + fields.map { "\(JSONText.quote($0.0)): \(pretty($0.1))" }.joined(separator: ", ") + " }"
        }
        return """
            {
              "project": \(JSONText.quote(project)),
              "services": [
            \(lines.joined(separator: ",\n"))
              ]
            }

            """
    }

    /// A project name (`[A-Za-z0-9_.-]+`) from a folder's name ("root" for `/`): what `init`
    /// writes, and what a services.json without "project" is called.
    public static func projectName(forFolder path: String) -> String {
        NameRule.sanitized(path.split(separator: "/").last.map(String.init) ?? "root", allowingDots: true)
    }

    /// Compact JSON with a space after each `:` and `,`, for one-line services.
    private static func pretty(_ value: JSONText) -> String {
        switch value {
        case .array(let items): "[" + items.map(pretty).joined(separator: ", ") + "]"
        case .object(let fields): "{ " + fields.map { "\(JSONText.quote($0.0)): \(pretty($0.1))" }.joined(separator: ", ") + " }"
        default: value.rendered()
        }
    }
}
