// swift-tools-version: 6.1
// Recall: a retrieval-augmented chat API whose cache stays coherent across processes.
// One package: a library product per module under Modules/, an executable per program under Apps/.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Recall",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RedisKit", targets: ["RedisKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries from Debian, wrapped by module maps with shim headers (Modules/C*/shim.h).
        .systemLibrary(name: "CHiredis", path: "Modules/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Modules/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", path: "Modules/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CNcurses", path: "Modules/CNcurses", providers: [.apt(["libncurses-dev"])]),
        // Redis client over hiredis: a pool of connections, each driven by its own OS thread.
        .target(
            name: "RedisKit",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Modules/RedisKit",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RedisKitTests",
            dependencies: ["RedisKit", "TestSupport"],
            path: "Tests/RedisKitTests",
            swiftSettings: swiftSettings
        ),

        // Finds the real services that `make test` started (RECALL_TEST_*), and the built programs.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
    ]
)
