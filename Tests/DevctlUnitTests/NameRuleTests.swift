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

    @Test func sanitizedReplacesEverythingElseByDash() {
        #expect(NameRule.sanitized("web.1") == "web-1")
        #expect(NameRule.sanitized("web.1", allowingDots: true) == "web.1")
        #expect(NameRule.sanitized("my app/é") == "my-app--")
    }

    @Test func aFolderGivesTheProjectNameInitWritesAndTheConfigDefaultsTo() {
        #expect(ServicesTemplate.projectName(forFolder: "/home/me/my app.v2") == "my-app.v2")
        #expect(ServicesTemplate.projectName(forFolder: "/") == "root")
    }
}
