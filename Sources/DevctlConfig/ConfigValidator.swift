import DevctlSystem
import DevctlText
import Foundation

/// The rules of services.json (SPEC §1). It walks the whole document, recording every problem
/// with its place instead of stopping at the first, and builds the config only if there is none.
struct ConfigValidator {
    static let projectKeys = ["project", "stopTimeout", "orphanPatterns", "compose", "containment", "logMaxSize", "logKeep",
                              "services"]
    static let serviceKeys = ["name", "command", "cwd", "env", "envFile", "dependsOn", "healthcheck", "stopSignal", "stopTimeout",
                              "restart", "restartDelay", "maxRestarts", "oneshot"]
    static let healthCheckKinds = ["tcp", "http", "command", "log"]
    static let healthCheckKeys = healthCheckKinds + ["timeout", "interval"]
    static let composeFileNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]

    let file: String
    let root: String
    /// devctl's own environment, which services inherit and `envFile`s refer to.
    let environment: [String: String]
    private(set) var problems: [ConfigProblem] = []
    /// Problems past `listedProblemLimit`, only counted.
    private(set) var unlistedProblems = 0

    /// A generated or corrupted file can hold millions of problems: listing every one of a 10 MB
    /// file's took half a minute, 2 GB and 300 MB of output. The first ones are listed, the rest counted.
    static let listedProblemLimit = 200

    init(file: String, environment: [String: String]) {
        self.file = file
        root = ConfigLocator.directory(of: file)
        self.environment = environment
    }

    /// What validation learns of a service even when other parts of it are wrong, so that
    /// names and dependencies are still checked across services.
    private struct Declaration {
        var path: String
        var name: String?
        var dependsOn: [String] = []
        var config: ServiceConfig?
    }

    mutating func config(from json: JSONValue) -> ServicesConfig? {
        guard case .object = json.kind else {
            report("\(ConfigError.name(of: file)):\(json.position)", "expected an object at the top level, got \(json.summary)")
            return nil
        }
        guard let keys = members(of: json, at: "", allowed: Self.projectKeys) else { return nil }

        let project = keys["project"].flatMap { projectName($0) } ?? ServicesTemplate.projectName(forFolder: root)
        let stopTimeout = keys["stopTimeout"].flatMap { self.stopTimeout($0, at: "stopTimeout") } ?? ServicesConfig.defaultStopTimeout
        let orphanPatterns = keys["orphanPatterns"].flatMap { self.orphanPatterns($0) } ?? []
        let compose = composeFile(keys["compose"])
        let containment = keys["containment"].flatMap { self.containment($0) } ?? .auto
        let logMaxSize = keys["logMaxSize"].flatMap {
            positiveNumber($0, at: "logMaxSize", of: "MiB", atMost: ServicesConfig.maximumLogMaxSize)
        } ?? ServicesConfig.defaultLogMaxSize
        let logKeep = keys["logKeep"].flatMap { wholeNumber($0, at: "logKeep", in: 0...ServicesConfig.maximumLogKeep) }
            ?? ServicesConfig.defaultLogKeep

        var declarations: [Declaration] = []
        if let services = keys["services"], case .array(let items) = services.kind {
            for (index, item) in items.enumerated() {
                declarations.append(service(item, at: "services[\(index)]", stopTimeout: stopTimeout))
            }
            if items.isEmpty { report("services", "no services defined") }
        } else if let services = keys["services"] {
            report("services", "expected an array of services, got \(services.summary)")
        } else {
            report("services", "no services defined")
        }
        checkNames(declarations)
        checkDependencies(declarations)

        guard problems.isEmpty else { return nil }
        return ServicesConfig(project: project, root: root, file: file, stopTimeout: stopTimeout,
                              orphanPatterns: orphanPatterns, compose: compose, containment: containment,
                              logMaxSize: logMaxSize, logKeep: logKeep, services: declarations.compactMap(\.config))
    }

    // MARK: Project

    private mutating func containment(_ value: JSONValue) -> ContainmentMode? {
        if case .string(let name) = value.kind, let mode = ContainmentMode(rawValue: name) { return mode }
        let names = ContainmentMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        report("containment", "expected one of \(names), got \(value.summary)")
        return nil
    }

    private mutating func projectName(_ value: JSONValue) -> String? {
        let expected = "a name made of letters, digits, '_', '.' and '-'"
        guard let name = string(value, at: "project", expected: expected) else { return nil }
        guard NameRule.isValid(name, allowingDots: true) else {
            report("project", "expected \(expected), got \(value.summary)")
            return nil
        }
        return name
    }

    private mutating func orphanPatterns(_ value: JSONValue) -> [String]? {
        guard let patterns = strings(value, at: "orphanPatterns", expected: "an array of regular expressions") else { return nil }
        for (index, pattern) in patterns.enumerated() {
            let path = "orphanPatterns[\(index)]"
            if pattern.isEmpty {
                // It would match every command line in the project folder.
                report(path, "an empty pattern would match every process")
            } else if let problem = RegularExpressionSyntax.problem(in: pattern) {
                report(path, "invalid regular expression \(JSONText.quote(pattern)): \(problem)")
            }
        }
        return patterns
    }

    private mutating func composeFile(_ value: JSONValue?) -> String? {
        guard let value else {
            return Self.composeFileNames
                .map { ConfigLocator.absolutePath($0, relativeTo: root) }
                .first { FileSystem.exists($0) && !FileSystem.isDirectory($0) }
        }
        switch value.kind {
        case .bool(false):
            return nil
        case .string(let name):
            return existingFile(name, at: "compose")
        default:
            report("compose", "expected a file name or false, got \(value.summary)")
            return nil
        }
    }

    // MARK: Services

    private mutating func service(_ value: JSONValue, at path: String, stopTimeout projectStopTimeout: Double) -> Declaration {
        var declaration = Declaration(path: path)
        guard let keys = members(of: value, at: path, allowed: Self.serviceKeys) else { return declaration }

        if let nameValue = keys["name"] {
            declaration.name = serviceName(nameValue, at: "\(path).name")
        } else {
            report(path, "missing required key 'name'")
        }
        let command = keys["command"].flatMap { self.command($0, at: "\(path).command") }
        if keys["command"] == nil { report(path, "missing required key 'command'") }

        let cwd = keys["cwd"].map { folder($0, at: "\(path).cwd") } ?? root
        let env = keys["env"].flatMap { environment($0, at: "\(path).env") } ?? [:]
        var envFile: String?
        var fileEnvironment: [String: String] = [:]
        if let value = keys["envFile"], let name = string(value, at: "\(path).envFile", expected: "a file name"),
           let absolute = existingFile(name, at: "\(path).envFile") {
            envFile = absolute
            fileEnvironment = dotEnv(at: absolute, named: name, path: "\(path).envFile") ?? [:]
        }
        declaration.dependsOn = keys["dependsOn"].flatMap {
            strings($0, at: "\(path).dependsOn", expected: "an array of service names")
        } ?? []
        let healthcheck = keys["healthcheck"].flatMap { healthCheck($0, at: "\(path).healthcheck") }
        let stopSignal = keys["stopSignal"].flatMap { self.stopSignal($0, at: "\(path).stopSignal") } ?? .term
        let stopTimeout = keys["stopTimeout"].flatMap { self.stopTimeout($0, at: "\(path).stopTimeout") } ?? projectStopTimeout
        let restart = keys["restart"].flatMap { restartPolicy($0, at: "\(path).restart") } ?? .no
        let restartDelay = keys["restartDelay"].flatMap {
            positiveNumber($0, at: "\(path).restartDelay", of: "seconds", atMost: ServiceConfig.maximumRestartDelay)
        } ?? ServiceConfig.defaultRestartDelay
        let maxRestarts = keys["maxRestarts"].flatMap {
            wholeNumber($0, at: "\(path).maxRestarts", in: 0...ServiceConfig.maximumMaxRestarts)
        } ?? ServiceConfig.defaultMaxRestarts
        let oneshot = keys["oneshot"].flatMap { bool($0, at: "\(path).oneshot") } ?? false
        if oneshot {
            // A task that succeeded is done; starting it again would run the migration twice.
            if restart == .always {
                report("\(path).restart", #"a oneshot is restarted only "on-failure" or never ("no"), not "always""#)
            }
            // Dependents wait for its exit 0, so a probe would have nothing to decide.
            if keys["healthcheck"] != nil {
                report("\(path).healthcheck", "a oneshot is ready when it exits 0 and takes no health check; remove 'healthcheck' or 'oneshot'")
            }
        }

        // Any problem refuses the whole file, so a service with a bad optional part may still be
        // built here from its defaults: it is never handed out.
        if let name = declaration.name, let command, let cwd {
            declaration.config = ServiceConfig(
                name: name, command: command, cwd: cwd, environment: fileEnvironment.merging(env) { $1 },
                envFile: envFile, dependsOn: declaration.dependsOn, healthcheck: healthcheck,
                stopSignal: stopSignal, stopTimeout: stopTimeout, restart: restart, restartDelay: restartDelay,
                maxRestarts: maxRestarts, oneshot: oneshot)
        }
        return declaration
    }

    private mutating func serviceName(_ value: JSONValue, at path: String) -> String? {
        let expected = "a name made of letters, digits, '_' and '-'"
        guard let name = string(value, at: path, expected: expected) else { return nil }
        if NameRule.startsLikeAnOption(name) {
            report(path, "a service name must start with a letter, digit or '_', not '-' (it would read as an option), got \(value.summary)")
            return nil
        }
        guard NameRule.isValid(name) else {
            report(path, "expected \(expected), got \(value.summary)")
            return nil
        }
        return name
    }

    private mutating func command(_ value: JSONValue, at path: String) -> ServiceCommand? {
        switch value.kind {
        case .string:
            guard let command = string(value, at: path) else { return nil }
            guard !command.allSatisfy(\.isWhitespace) else {
                report(path, "expected a non-empty command")
                return nil
            }
            return .shell(command)
        case .array(let items) where items.isEmpty:
            report(path, "expected a non-empty array of strings")
            return nil
        case .array:
            guard let arguments = strings(value, at: path, expected: "an array of strings") else { return nil }
            guard !arguments[0].isEmpty else {
                report("\(path)[0]", "the program name must not be empty")
                return nil
            }
            return .argv(arguments)
        default:
            report(path, "expected a string or an array of strings, got \(value.summary)")
            return nil
        }
    }

    private mutating func folder(_ value: JSONValue, at path: String) -> String? {
        guard let name = string(value, at: path, expected: "a folder name") else { return nil }
        let absolute = ConfigLocator.absolutePath(name, relativeTo: root)
        if FileSystem.isDirectory(absolute) { return absolute }
        report(path, FileSystem.exists(absolute) ? "'\(name)' is not a folder" : "folder '\(name)' does not exist")
        return nil
    }

    private mutating func existingFile(_ name: String, at path: String) -> String? {
        let absolute = ConfigLocator.absolutePath(name, relativeTo: root)
        if !FileSystem.exists(absolute) {
            report(path, "file '\(name)' does not exist")
        } else if FileSystem.isDirectory(absolute) {
            report(path, "'\(name)' is a folder, not a file")
        } else {
            return absolute
        }
        return nil
    }

    private mutating func environment(_ value: JSONValue, at path: String) -> [String: String]? {
        guard let members = orderedMembers(of: value, at: path, allowed: nil) else { return nil }
        var environment: [String: String] = [:]
        for member in members {
            let variablePath = Self.child(path, member.key)
            if member.key.isEmpty || member.key.unicodeScalars.contains(where: { $0 == "=" || $0 == "\0" }) {
                report(variablePath, "a variable name must be non-empty and contain no '=' or NUL")
            } else if let text = string(member.value, at: variablePath) {
                environment[member.key] = text
            }
        }
        return environment
    }

    private mutating func dotEnv(at file: String, named name: String, path: String) -> [String: String]? {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(file)
        } catch {
            report(path, "cannot read '\(name)': \(error.errno)")
            return nil
        }
        let dotEnv = DotEnv(parsing: bytes, environment: environment)
        for problem in dotEnv.problems { report(path, "'\(name)' \(problem)") }
        return dotEnv.variables
    }

    private mutating func healthCheck(_ value: JSONValue, at path: String) -> HealthCheck? {
        guard let keys = members(of: value, at: path, allowed: Self.healthCheckKeys, expected: "an object such as {\"tcp\": 8000}") else {
            return nil
        }
        var kinds: [HealthCheck.Kind] = []
        for name in Self.healthCheckKinds {
            guard let value = keys[name] else { continue }
            let kindPath = "\(path).\(name)"
            switch name {
            case "tcp": if let port = port(value, at: kindPath) { kinds.append(.tcp(port: port)) }
            case "http": if let url = httpURL(value, at: kindPath) { kinds.append(.http(url: url)) }
            case "log": if let pattern = logPattern(value, at: kindPath) { kinds.append(.log(pattern: pattern)) }
            default: if let command = nonEmptyString(value, at: kindPath, expected: "a non-empty command") { kinds.append(.command(command)) }
            }
        }
        let given = Self.healthCheckKinds.filter { keys[$0] != nil }
        if given.count != 1 {
            let found = given.isEmpty ? "" : ", got " + given.map { "'\($0)'" }.joined(separator: " and ")
            let names = Self.healthCheckKinds.map { "'\($0)'" }
            report(path, "expected exactly one of \(names.dropLast().joined(separator: ", ")) or \(names.last!)\(found)")
        }
        let timeout = keys["timeout"].flatMap {
            positiveNumber($0, at: "\(path).timeout", of: "seconds", atMost: HealthCheck.maximumTimeout)
        } ?? HealthCheck.defaultTimeout
        let interval = keys["interval"].flatMap {
            positiveNumber($0, at: "\(path).interval", of: "seconds", atMost: HealthCheck.maximumInterval)
        } ?? HealthCheck.defaultInterval
        guard given.count == 1, let kind = kinds.first else { return nil }
        return HealthCheck(kind: kind, timeout: timeout, interval: interval)
    }

    private mutating func port(_ value: JSONValue, at path: String) -> Int? {
        guard case .number(let number) = value.kind, number.isInteger, (1...65535).contains(number.value) else {
            report(path, "expected a port number 1-65535, got \(value.summary)")
            return nil
        }
        return Int(number.value)
    }

    private mutating func httpURL(_ value: JSONValue, at path: String) -> String? {
        guard let url = string(value, at: path, expected: "an http:// URL") else { return nil }
        let components = URLComponents(string: url)
        switch components?.scheme?.lowercased() {
        case "http":
            if components?.host?.isEmpty ?? true {
                report(path, "the URL \(value.summary) has no host")
            } else if let port = components?.port, !(1...65535).contains(port) {
                report(path, "port \(port) of \(value.summary) is not in 1-65535")
            } else {
                return url
            }
        case "https":
            report(path, "only http:// is supported, got \(value.summary)")
        default:
            report(path, "expected an http:// URL, got \(value.summary)")
        }
        return nil
    }

    private mutating func restartPolicy(_ value: JSONValue, at path: String) -> RestartPolicy? {
        if case .string(let name) = value.kind, let policy = RestartPolicy(rawValue: name) { return policy }
        let names = RestartPolicy.allCases.map(\.rawValue)
        var message = "expected one of \(names.map { JSONText.quote($0) }.joined(separator: ", ")), got \(value.summary)"
        if case .string(let name) = value.kind, let suggestion = Spelling.closest(to: name, in: names) {
            message += "; did you mean '\(suggestion)'?"
        }
        report(path, message)
        return nil
    }

    private mutating func logPattern(_ value: JSONValue, at path: String) -> String? {
        guard let pattern = string(value, at: path, expected: "a regular expression") else { return nil }
        if pattern.isEmpty {
            // It would pass on the run's first line, whatever the service says there.
            report(path, "an empty pattern would match any line; give the text that means the service is ready")
        } else if let problem = RegularExpressionSyntax.problem(in: pattern) {
            report(path, "invalid regular expression \(JSONText.quote(pattern)): \(problem)")
        } else {
            return pattern
        }
        return nil
    }

    private mutating func stopSignal(_ value: JSONValue, at path: String) -> StopSignal? {
        if case .string(let name) = value.kind, let signal = StopSignal(rawValue: name) { return signal }
        let names = StopSignal.allCases.map(\.rawValue)
        var message = "expected one of \(names.joined(separator: ", ")), got \(value.summary)"
        if case .string(let name) = value.kind {
            let withoutPrefix = name.uppercased().hasPrefix("SIG") ? String(name.dropFirst(3)) : name
            if let suggestion = Spelling.closest(to: withoutPrefix, in: names) { message += "; did you mean '\(suggestion)'?" }
        }
        report(path, message)
        return nil
    }

    // Every number of seconds is bounded, not only checked to be finite: each becomes a Duration
    // (or compose's whole seconds) once services run, and 1e300 traps there, after the spawn.

    private mutating func stopTimeout(_ value: JSONValue, at path: String) -> Double? {
        guard case .number(let number) = value.kind, (0...ServicesConfig.maximumStopTimeout).contains(number.value) else {
            report(path, "expected a number of seconds from 0 to \(Int(ServicesConfig.maximumStopTimeout)), got \(value.summary)")
            return nil
        }
        return number.value
    }

    /// A number of `unit`s (seconds, MiB) above 0 and at most `maximum`.
    private mutating func positiveNumber(_ value: JSONValue, at path: String, of unit: String, atMost maximum: Double) -> Double? {
        guard case .number(let number) = value.kind, number.value > 0, number.value <= maximum else {
            report(path, "expected a number of \(unit) above 0 and at most \(Int(maximum)), got \(value.summary)")
            return nil
        }
        return number.value
    }

    /// A count, written as an integer literal as a port is (`3.0` is refused).
    private mutating func wholeNumber(_ value: JSONValue, at path: String, in range: ClosedRange<Int>) -> Int? {
        guard case .number(let number) = value.kind, number.isInteger,
              number.value >= Double(range.lowerBound), number.value <= Double(range.upperBound) else {
            report(path, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \(value.summary)")
            return nil
        }
        return Int(number.value)
    }

    private mutating func bool(_ value: JSONValue, at path: String) -> Bool? {
        guard case .bool(let flag) = value.kind else {
            report(path, "expected true or false, got \(value.summary)")
            return nil
        }
        return flag
    }

    // MARK: Across services

    private mutating func checkNames(_ declarations: [Declaration]) {
        var firstPath: [String: String] = [:]
        for declaration in declarations {
            guard let name = declaration.name else { continue }
            if let first = firstPath[name] {
                report("\(declaration.path).name", "duplicate service name '\(name)' (also \(first))")
            } else {
                firstPath[name] = declaration.path
            }
        }
    }

    private mutating func checkDependencies(_ declarations: [Declaration]) {
        let names = declarations.compactMap(\.name)
        let known = Set(names)
        var edges: [(name: String, dependsOn: [String])] = []
        for declaration in declarations {
            guard let name = declaration.name else { continue }
            var targets: [String] = []
            for (index, target) in declaration.dependsOn.enumerated() {
                let path = "\(declaration.path).dependsOn[\(index)]"
                if target == name {
                    report(path, "service '\(name)' cannot depend on itself")
                } else if !known.contains(target) {
                    let hint = Spelling.closest(to: target, in: names).map { "; did you mean '\($0)'?" } ?? ""
                    report(path, "unknown service '\(target)'\(hint)")
                } else if targets.contains(target) {
                    report(path, "'\(target)' is listed twice")
                } else {
                    targets.append(target)
                }
            }
            edges.append((name, targets))
        }
        for cycle in DependencyGraph(edges).cycles() {
            report("services", "dependency cycle \(cycle.joined(separator: " -> "))")
        }
    }

    // MARK: JSON shapes

    /// The members of an object by key, with duplicate and unknown keys reported and left out;
    /// nil, reported, when `value` is not an object.
    private mutating func members(of value: JSONValue, at path: String, allowed: [String],
                                  expected: String = "an object") -> [String: JSONValue]? {
        orderedMembers(of: value, at: path, allowed: allowed, expected: expected)
            .map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) }
    }

    /// The members of an object in source order, with duplicate and (unless `allowed` is nil)
    /// unknown keys reported and left out; nil, reported, when `value` is not an object.
    private mutating func orderedMembers(of value: JSONValue, at path: String, allowed: [String]?,
                                         expected: String = "an object") -> [JSONMember]? {
        guard case .object(let members) = value.kind else {
            report(path, "expected \(expected), got \(value.summary)")
            return nil
        }
        var accepted: [JSONMember] = []
        var firstPosition: [String: SourcePosition] = [:]
        for member in members {
            let memberPath = Self.child(path, member.key)
            if let first = firstPosition[member.key] {
                report(memberPath, "duplicate key (first at line \(first.line), column \(first.column))")
                continue
            }
            firstPosition[member.key] = member.keyPosition
            if let allowed, !allowed.contains(member.key) {
                let hint = Spelling.closest(to: member.key, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
                report(memberPath, "unknown key\(hint)")
            } else {
                accepted.append(member)
            }
        }
        return accepted
    }

    /// A string without NUL characters: every string here ends up in a path, an argument or an
    /// environment variable, where the C API would silently cut it at the NUL.
    private mutating func string(_ value: JSONValue, at path: String, expected: String = "a string") -> String? {
        guard case .string(let text) = value.kind else {
            report(path, "expected \(expected), got \(value.summary)")
            return nil
        }
        guard !text.unicodeScalars.contains("\0") else {
            report(path, "must not contain a NUL character")
            return nil
        }
        return text
    }

    private mutating func nonEmptyString(_ value: JSONValue, at path: String, expected: String) -> String? {
        guard let text = string(value, at: path, expected: expected) else { return nil }
        guard !text.allSatisfy(\.isWhitespace) else {
            report(path, "expected \(expected), got \(value.summary)")
            return nil
        }
        return text
    }

    /// An array of strings, each element that is not one reported at its index.
    private mutating func strings(_ value: JSONValue, at path: String, expected: String) -> [String]? {
        guard case .array(let items) = value.kind else {
            report(path, "expected \(expected), got \(value.summary)")
            return nil
        }
        let strings = items.enumerated().compactMap { string($1, at: "\(path)[\($0)]") }
        return strings.count == items.count ? strings : nil
    }

    private mutating func report(_ path: String, _ message: @autoclosure () -> String) {
        guard problems.count < Self.listedProblemLimit else {
            unlistedProblems += 1
            return
        }
        problems.append(ConfigProblem(path: path, message: message()))
    }

    /// The path of `key` inside `path`: `services[0].env.PORT`, or `env["MY VAR"]` for a key
    /// that is not a plain word.
    static func child(_ path: String, _ key: String) -> String {
        guard NameRule.isValid(key) else { return "\(path)[\(JSONText.quote(key))]" }
        return path.isEmpty ? key : "\(path).\(key)"
    }
}
