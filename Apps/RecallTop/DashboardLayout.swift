import Foundation

/// One row of the screen and how to draw it.
struct ScreenLine: Sendable, Equatable {
    enum Style: Sendable, Equatable {
        case normal
        case bold
        case reverse
        case alert
    }

    var text: String
    var style: Style = .normal
}

/// Lays a ``DashboardState`` out as screen rows of a given size: all the formatting, none of the
/// terminal, so that what a person sees can be tested without one.
struct DashboardLayout: Sendable {
    var width: Int
    var height: Int
    /// Block characters and the em dash when the terminal speaks UTF-8; ASCII otherwise.
    var unicode = true

    static let unreachableText = "server unreachable — retrying"

    private var dash: String { unicode ? "—" : "-" }

    /// The rows to draw, top to bottom: exactly `height` of them, none wider than `width`.
    func lines(for state: DashboardState) -> [ScreenLine] {
        guard width > 0, height > 0 else { return [] }
        var body: [ScreenLine] = [header(state)]
        if let reason = state.unreachable {
            let text = unicode ? Self.unreachableText : "server unreachable - retrying"
            body.append(ScreenLine(text: "\(text) (\(reason))", style: .alert))
        }
        for problem in state.problems { body.append(ScreenLine(text: "! \(problem)", style: .alert)) }
        switch state.view {
        case .overview: body += overview(state)
        case .jobs: body += jobsView(state)
        case .help: body += help()
        }
        let footer = self.footer(state)
        var rows = Array(body.prefix(max(0, height - 1)))
        while rows.count < height - 1 { rows.append(ScreenLine(text: "")) }
        rows.append(footer)
        return rows.map { ScreenLine(text: clip($0.text, padded: $0.style == .reverse), style: $0.style) }
    }

    // MARK: Sections

    private func header(_ state: DashboardState) -> ScreenLine {
        var text = "recall-top \(dash) \(state.server) \(dash) every \(Format.seconds(state.interval))"
        if let date = state.lastUpdate { text += " \(dash) updated \(Format.clock(date))" }
        return ScreenLine(text: text, style: .reverse)
    }

    private func overview(_ state: DashboardState) -> [ScreenLine] {
        var lines: [ScreenLine] = [ScreenLine(text: "")]
        let stats = state.stats
        var cacheTitle = "Cache   backend \(stats?.backend ?? "?")"
        if let clients = stats?.redisConnectedClients { cacheTitle += "   clients \(Format.count(clients))" }
        if let size = stats?.memoryCacheSize {
            cacheTitle += "   entries \(Format.count(size))" + (stats?.memoryCacheMaxSize.map { " of \(Format.count($0))" } ?? "")
        }
        lines.append(ScreenLine(text: cacheTitle, style: .bold))
        lines.append(ScreenLine(text: hitRateLine(state)))
        lines.append(ScreenLine(text: "  Requests   " + (state.requestsPerSecond.map { Format.rate($0) + "/s" } ?? "–")))
        if let memory = memoryLine(stats) { lines.append(ScreenLine(text: memory)) }
        lines.append(ScreenLine(text: ""))
        lines += backendTable(state.metrics)
        lines.append(ScreenLine(text: ""))
        lines += jobsSummary(state)
        lines += jobRows(state.jobs?.jobs ?? [], limit: max(0, height - lines.count - 3))
        return lines
    }

    private func hitRateLine(_ state: DashboardState) -> String {
        let now = state.hitRate.map(Format.percent) ?? "–"
        let sparkWidth = max(0, min(60, width - 40))
        let history = state.hitRateHistory.suffix(sparkWidth)
        let spark = (unicode ? Sparkline.blocks : Sparkline.ascii).render(Array(history), width: sparkWidth)
        let minutes = Double(history.count) * state.interval / 60
        let window = history.count < 2 ? "" : "  last \(Format.minutes(minutes))"
        return "  Hit rate   \(now.padding(toLength: 7, withPad: " ", startingAt: 0)) \(spark)\(window)"
    }

    private func memoryLine(_ stats: CacheStatsSnapshot?) -> String? {
        guard let used = stats?.redisUsedMemory else { return nil }
        guard let limit = stats?.redisMaxMemory, limit > 0 else {
            return "  Memory     \(Format.bytes(used)) used, no maxmemory"
        }
        let fraction = used / limit
        let barWidth = max(10, min(40, width - 50))
        let filled = Int((min(1, fraction) * Double(barWidth)).rounded())
        let full = unicode ? "█" : "#"
        let empty = unicode ? "░" : "."
        let bar = String(repeating: full, count: filled) + String(repeating: empty, count: barWidth - filled)
        return "  Memory     [\(bar)] \(Format.bytes(used)) / \(Format.bytes(limit)) (\(Format.percent(fraction)))"
    }

    private func backendTable(_ metrics: PrometheusText?) -> [ScreenLine] {
        guard let metrics else { return [ScreenLine(text: "  (no /metrics yet)")] }
        let hits = metrics.sums("cache_hits_total", by: "backend")
        let misses = metrics.sums("cache_misses_total", by: "backend")
        let errors = metrics.sums("cache_errors_total", by: "backend")
        let evictions = metrics.sums("cache_evictions_total", by: "backend")
        let backends = Set(hits.keys).union(misses.keys).union(errors.keys).union(evictions.keys).sorted()
        var lines = [ScreenLine(text: "  " + Format.columns(["backend", "hits", "misses", "errors", "evictions"],
                                                             widths: [10, -12, -12, -10, -10]), style: .bold)]
        if backends.isEmpty { lines.append(ScreenLine(text: "  (no cache operations counted yet)")) }
        for backend in backends {
            let cells = [backend] + [hits, misses, errors, evictions].map { Format.count($0[backend] ?? 0) }
            lines.append(ScreenLine(text: "  " + Format.columns(cells, widths: [10, -12, -12, -10, -10])))
        }
        return lines
    }

    private func jobsSummary(_ state: DashboardState) -> [ScreenLine] {
        let counts = state.jobs?.counts ?? [:]
        func count(_ name: String) -> String { counts[name].map(String.init) ?? "–" }
        var text = "Jobs    queued \(count("queued"))   running \(count("running"))   retrying \(count("retrying"))   dead \(count("dead"))"
        if let depths = state.metrics?.sums("jobs_queue_depth", by: "queue"), !depths.isEmpty {
            let total = depths.values.reduce(0, +)
            let each = depths.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.count($0.value))" }.joined(separator: ", ")
            text += "   depth \(Format.count(total)) (\(each))"
        }
        return [ScreenLine(text: text, style: .bold)]
    }

    private static let jobWidths = [10, 18, 10, -4, -5, 0]

    private func jobRows(_ jobs: [JobsListing.Job], limit: Int) -> [ScreenLine] {
        guard limit > 0 else { return [] }
        var lines = [ScreenLine(text: "  " + Format.columns(["ID", "TYPE", "STATUS", "TRY", "DONE", "MESSAGE"],
                                                             widths: Self.jobWidths), style: .bold)]
        if jobs.isEmpty { lines.append(ScreenLine(text: "  (no jobs)")) }
        for job in jobs.prefix(limit - 1) {
            let note = job.error.map { "error: \($0)" } ?? job.progressMessage ?? ""
            let cells = [String(job.id.prefix(9)), job.type ?? "?", job.status ?? "?", job.attempts.map(String.init) ?? "",
                         job.percent.map { "\($0)%" } ?? "", note]
            lines.append(ScreenLine(text: "  " + Format.columns(cells, widths: Self.jobWidths),
                                    style: job.status == "dead" || job.status == "failed" ? .alert : .normal))
        }
        return lines
    }

    private func jobsView(_ state: DashboardState) -> [ScreenLine] {
        var lines = [ScreenLine(text: "")] + jobsSummary(state) + [ScreenLine(text: "")]
        let widths = [24, 18, 10, -4, -5, 10, 0]
        lines.append(ScreenLine(text: "  " + Format.columns(["ID", "TYPE", "STATUS", "TRY", "DONE", "UPDATED", "MESSAGE"],
                                                             widths: widths), style: .bold))
        let jobs = state.jobs?.jobs ?? []
        if jobs.isEmpty { lines.append(ScreenLine(text: "  (no jobs)")) }
        for job in jobs {
            let note = job.error.map { "error: \($0)" } ?? job.progressMessage ?? ""
            let cells = [String(job.id.prefix(23)), job.type ?? "?", job.status ?? "?", job.attempts.map(String.init) ?? "",
                         job.percent.map { "\($0)%" } ?? "", job.updatedAt.map(Format.clock) ?? "", note]
            lines.append(ScreenLine(text: "  " + Format.columns(cells, widths: widths),
                                    style: job.status == "dead" || job.status == "failed" ? .alert : .normal))
        }
        return lines
    }

    private func help() -> [ScreenLine] {
        [
            ScreenLine(text: ""),
            ScreenLine(text: "Keys", style: .bold),
            ScreenLine(text: "  q   quit"),
            ScreenLine(text: "  r   refresh now"),
            ScreenLine(text: "  j   jobs view (j again: back)"),
            ScreenLine(text: "  i   invalidate cache entries by model, session or key pattern"),
            ScreenLine(text: "  c   clear the whole cache (asks first)"),
            ScreenLine(text: "  ?   this help (? again: back)"),
            ScreenLine(text: "  Esc cancels a question"),
            ScreenLine(text: ""),
            ScreenLine(text: "Hit rate: the server's figure (Redis keyspace hits / lookups); the line after it is one"),
            ScreenLine(text: "sample per refresh. Requests/s: change of http_requests_total between refreshes."),
        ]
    }

    private func footer(_ state: DashboardState) -> ScreenLine {
        switch state.prompt {
        case .confirmClear:
            return ScreenLine(text: "Clear the whole cache for every server process? (y/N)", style: .alert)
        case .invalidateChoice:
            return ScreenLine(text: "Invalidate by (m)odel, (s)ession or (p)attern?  Esc cancels", style: .alert)
        case .invalidateValue(let target, let text):
            return ScreenLine(text: "Invalidate \(target.rawValue): \(text)_   Enter sends, Esc cancels", style: .alert)
        case nil:
            let keys = "q quit  r refresh  j jobs  i invalidate  c clear  ? help"
            // The outcome first, so a narrow screen cuts the key list rather than the news.
            return ScreenLine(text: state.message.map { "\($0)  \(dash)  ? help  q quit" } ?? keys, style: .reverse)
        }
    }

    /// Cuts `text` to the width (one column per character: the dashboard's own glyphs are all
    /// narrow), and pads reverse-video rows so the bar spans the screen.
    private func clip(_ text: String, padded: Bool) -> String {
        let cut = text.count > width ? String(text.prefix(width)) : text
        return padded ? cut.padding(toLength: width, withPad: " ", startingAt: 0) : cut
    }
}
