import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Testing

@Suite struct NameRuleTests {
    @Test func namesAreAsciiLettersDigitsUnderscoreAndDash() {
        #expect(NameRule.isValid("api_v2-worker"))
        #expect(!NameRule.isValid(""))
        #expect(!NameRule.isValid("web.1"))
        #expect(NameRule.isValid("my-shop.v2", allowingDots: true))
        #expect(!NameRule.isValid("café") && !NameRule.isValid("٣") && !NameRule.isValid("a b"))
    }

    /// A name that starts with '-' reads as an option on the command line (`devctl stop --`).
    @Test func aServiceNameStartsWithALetterDigitOrUnderscore() {
        #expect(NameRule.isValid("web") && NameRule.isValid("9lives") && NameRule.isValid("_x") && NameRule.isValid("web-"))
        #expect(!NameRule.isValid("-") && !NameRule.isValid("--") && !NameRule.isValid("-x") && !NameRule.isValid("--json"))
    }

    /// Project names are never typed as arguments, and existing folders such as `.devenv` keep theirs.
    @Test func aProjectNameMayStartWithADotOrDash() {
        #expect(NameRule.isValid(".devenv", allowingDots: true) && NameRule.isValid("-x", allowingDots: true))
    }

    @Test func sanitizedReplacesEverythingElseByDash() {
        #expect(NameRule.sanitized("web.1") == "web-1")
        #expect(NameRule.sanitized("web.1", allowingDots: true) == "web.1")
        #expect(NameRule.sanitized("my app/é") == "my-app--")
    }

    @Test func sanitizedServiceNamesLoseTheDashesTheyWouldStartWith() {
        #expect(NameRule.sanitized("-web") == "web")
        #expect(NameRule.sanitized("éweb") == "web")
        #expect(NameRule.sanitized("éé") == "")
        #expect(NameRule.sanitized("--") == "")
        #expect(NameRule.sanitized("-x", allowingDots: true) == "-x")
    }

    @Test func aFolderGivesTheProjectNameInitWritesAndTheConfigDefaultsTo() {
        #expect(ServicesTemplate.projectName(forFolder: "/home/me/my app.v2") == "my-app.v2")
        #expect(ServicesTemplate.projectName(forFolder: "/") == "root")
    }
}
