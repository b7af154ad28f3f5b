import Foundation

/// Prints a result in the one format bench.sh parses, and a readable line beside it.
func report(_ name: String, _ value: Double, unit: String, detail: String = "") {
    print("RESULT \(name) \(String(format: "%.0f", value)) \(unit)\(detail.isEmpty ? "" : "  # \(detail)")")
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
