/// Why a network fixture could not be set up.
struct NetworkFixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
