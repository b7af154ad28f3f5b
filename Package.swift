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
        .library(name: "MetricsKit", targets: ["MetricsKit"]),
        .library(name: "CacheKit", targets: ["CacheKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // C libraries from Debian, wrapped by module maps with shim headers (Modules/C*/shim.h).
        .systemLibrary(name: "CHiredis", path: "Modules/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Modules/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", path: "Modules/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CNcurses", path: "Modules/CNcurses", providers: [.apt(["libncurses-dev"])]),
        // Metric names and labels, the Prometheus registry and its exposition.
        .target(
            name: "MetricsKit",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Modules/MetricsKit",
            swiftSettings: swiftSettings
        ),
        // The response cache: backend protocol, in-process TTL+LRU cache, chat keys, single-flight.
        .target(
            name: "CacheKit",
            dependencies: [
                "MetricsKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Modules/CacheKit",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MetricsKitTests",
            dependencies: ["MetricsKit"],
            path: "Tests/MetricsKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CacheKitTests",
            dependencies: ["CacheKit", "MetricsKit"],
            path: "Tests/CacheKitTests",
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
