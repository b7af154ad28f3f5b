import RedisKit
import Testing

@Suite("RedisConfiguration")
struct RedisConfigurationTests {
    @Test("defaults point at a local Redis")
    func defaults() {
        let configuration = RedisConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 6379)
        #expect(configuration.database == 0)
        #expect(configuration.poolSize == 8)
        #expect(configuration.commandTimeout == .seconds(2))
        #expect(configuration.description == "redis://127.0.0.1:6379/0")
    }

    @Test("a full URL sets host, port, credentials and database")
    func fullURL() throws {
        let configuration = try RedisConfiguration(url: "redis://app:s3cr%40t@cache.internal:6380/3", poolSize: 2)
        #expect(configuration.host == "cache.internal")
        #expect(configuration.port == 6380)
        #expect(configuration.username == "app")
        #expect(configuration.password == "s3cr@t")
        #expect(configuration.database == 3)
        #expect(configuration.poolSize == 2)
    }

    @Test("password without a user, bare host, IPv6")
    func shorterURLs() throws {
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@localhost")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "pw")
        #expect(passwordOnly.port == 6379)
        #expect(passwordOnly.database == 0)

        let bare = try RedisConfiguration(url: "redis://10.1.2.3/")
        #expect(bare.host == "10.1.2.3")
        #expect(bare.password == nil)

        let ipv6 = try RedisConfiguration(url: "redis://[::1]:7000/1")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 7000)
        #expect(ipv6.description == "redis://[::1]:7000/1")
    }

    @Test("description never shows the password")
    func descriptionHidesPassword() throws {
        let configuration = try RedisConfiguration(url: "redis://admin:CANARYsecret123@db:6379/2")
        #expect(configuration.description == "redis://admin:***@db:6379/2")
        #expect(!"\(configuration)".contains("CANARYsecret123"))
        let noUser = RedisConfiguration(password: "CANARYsecret123")
        #expect(noUser.description == "redis://:***@127.0.0.1:6379/0")
    }

    @Test("rediss:// is refused with an explanation")
    func tlsRefused() {
        let error = #expect(throws: RedisError.self) {
            try RedisConfiguration(url: "rediss://:CANARYsecret123@cache:6380/0")
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("TLS") == true)
        #expect(error?.message.contains("stunnel") == true)
        #expect(error?.message.contains("CANARYsecret123") == false)
    }

    @Test("malformed URLs throw without echoing the password", arguments: [
        "http://:CANARYsecret123@cache:6379",
        "redis://:CANARYsecret123@cache:notaport/0",
        "redis://:CANARYsecret123@cache:6379/zero",
        "redis://:CANARYsecret123@cache:70000",
    ])
    func malformed(url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.kind == .configuration)
        #expect(error.map { "\($0)".contains("CANARYsecret123") } == false)
    }

    @Test("RESPValue accessors")
    func respAccessors() {
        #expect(RESPValue.bulk(Array("42".utf8)).string == "42")
        #expect(RESPValue.bulk(Array("42".utf8)).int == 42)
        #expect(RESPValue.status("OK").string == "OK")
        #expect(RESPValue.integer(7).int == 7)
        #expect(RESPValue.integer(7).string == nil)
        #expect(RESPValue.null.string == nil)
        #expect(RESPValue.error("ERR x").string == nil)
        #expect(RedisError(.server, "WRONGTYPE Operation against a key").serverErrorCode == "WRONGTYPE")
    }
}
