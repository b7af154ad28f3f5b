import RedisKit

/// The Lua scripts behind ``RedisStreamsQueue``.
///
/// Every change of a job's status is one script, so the record, its status index, the stream
/// (or delayed set) and the acknowledgement move together: no crash between two commands can
/// leave a job acknowledged but unfinished, or queued twice. Scripts read the time from Redis
/// (`TIME`), so every worker's timestamps come from one clock.
///
/// The job scripts share one `KEYS` layout (``JobKeys/scriptKeys(record:unique:)``):
/// `KEYS[1]` stream, `KEYS[2]` delayed set, `KEYS[3…8]` the indexes of queued, running,
/// retrying, succeeded, failed and dead, `KEYS[9]` the record, `KEYS[10]` an idempotency key.
/// `ARGV[1]` is always the job id, except in the batch scripts (``start`` and ``complete``),
/// whose `KEYS[9…]` are one record per job and whose ARGV repeat per job.
enum JobScripts {
    /// Helpers every job script starts with.
    private static let preamble = """
        local STATUS = {queued = 3, running = 4, retrying = 5, succeeded = 6, failed = 7, dead = 8}
        local function now_ms()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local function move(id, from, to, now)
          if from and STATUS[from] then redis.call('ZREM', KEYS[STATUS[from]], id) end
          redis.call('ZADD', KEYS[STATUS[to]], now, id)
        end
        local function requeue(id, now)
          local sid = redis.call('XADD', KEYS[1], '*', 'id', id)
          redis.call('HSET', KEYS[9], 'stream_id', sid, 'status', 'queued', 'updated_at', now)
          return sid
        end
        local function done_with(group, sid)
          redis.call('XACK', KEYS[1], group, sid)
          redis.call('XDEL', KEYS[1], sid)
        end
        local function is_final(status)
          return status == 'succeeded' or status == 'failed' or status == 'dead'
        end

        """

    private static func script(_ body: String) -> RedisScript {
        RedisScript(preamble + body)
    }

    /// ARGV: id, type, payload, idempotency-key TTL (ms), idempotency key.
    /// Returns `{id, 1}` for a new job, `{existing id, 0}` when the key was taken.
    static let enqueue = script("""
        local now = now_ms()
        if KEYS[10] then
          local existing = redis.call('GET', KEYS[10])
          if existing then return {existing, 0} end
          redis.call('SET', KEYS[10], ARGV[1], 'PX', ARGV[4])
        end
        redis.call('HSET', KEYS[9], 'id', ARGV[1], 'type', ARGV[2], 'payload', ARGV[3], 'status', 'queued',
          'attempts', 0, 'deliveries', 0, 'created_at', now, 'updated_at', now)
        if KEYS[10] then redis.call('HSET', KEYS[9], 'idempotency_key', ARGV[5]) end
        local sid = redis.call('XADD', KEYS[1], '*', 'id', ARGV[1])
        redis.call('HSET', KEYS[9], 'stream_id', sid)
        redis.call('ZADD', KEYS[3], now, ARGV[1])
        return {ARGV[1], 1}
        """)

    /// Starts a batch of deliveries in one call. `KEYS[9…]` are the records, one per delivery.
    /// ARGV: group, consumer, max attempts, retention (ms), then id, stream id, token per delivery.
    /// Returns one reply per delivery, in order: `{'run', type, payload, attempt}`,
    /// `{'skip', reason}` or `{'dead', type}`.
    static let start = script("""
        local group, consumer, max_attempts, retention = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
        local now
        local function start_one(key, id, sid, token)
          local r = redis.call('HMGET', key, 'status', 'stream_id', 'attempts', 'type', 'payload')
          local status, attempts = r[1], tonumber(r[3] or '0')
          if not status then
            done_with(group, sid)
            return {'skip', 'missing'}
          end
          redis.call('HINCRBY', key, 'deliveries', 1)
          if is_final(status) then
            done_with(group, sid)
            return {'skip', status}
          end
          if r[2] ~= sid then
            done_with(group, sid)
            return {'skip', 'stale'}
          end
          now = now or now_ms()
          if status == 'running' and attempts >= max_attempts then
            redis.call('HSET', key, 'status', 'dead', 'finished_at', now, 'updated_at', now, 'error',
              'abandoned: ' .. attempts .. ' attempts started and none finished (the worker died or lost its lease each time)')
            redis.call('HDEL', key, 'token')
            move(id, status, 'dead', now)
            done_with(group, sid)
            redis.call('PEXPIRE', key, retention)
            return {'dead', r[4]}
          end
          attempts = attempts + 1
          redis.call('HSET', key, 'status', 'running', 'attempts', attempts, 'worker', consumer, 'token', token,
            'started_at', now, 'updated_at', now)
          redis.call('HDEL', key, 'next_run_at')
          move(id, status, 'running', now)
          return {'run', r[4], r[5], attempts}
        end
        local replies = {}
        for i = 1, (#ARGV - 4) / 3 do
          local at = 4 + (i - 1) * 3
          replies[i] = start_one(KEYS[8 + i], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3])
        end
        return replies
        """)

    /// KEYS: stream, record. ARGV: group, stream id, consumer, token.
    /// Resets the delivery's idle time (`XCLAIM … JUSTID` to its own consumer, which does not
    /// count a delivery) only while this consumer still owns it and the token still matches:
    /// a plain XCLAIM would snatch the job back from a worker that legitimately took it over.
    static let renew = RedisScript("""
        if redis.call('HGET', KEYS[2], 'token') ~= ARGV[4] then return 0 end
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
        if #pending == 0 or pending[1][2] ~= ARGV[3] then return 0 end
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
        return 1
        """)

    /// KEYS: record. ARGV: token, fraction, message (empty for none).
    static let progress = RedisScript("""
        if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('HSET', KEYS[1], 'progress', ARGV[2], 'updated_at', now)
        if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'progress_message', ARGV[3]) end
        return 1
        """)

    /// Records a batch of successes in one call. `KEYS[9…]` are the records, one per job.
    /// ARGV: group, retention (ms), then id, stream id, token, `1` when there is a result, and
    /// the result per job. Returns one integer per job, in order: 1, or 0 when the lease was lost
    /// (nothing changed for that job, nothing acknowledged).
    static let complete = script("""
        local group, retention = ARGV[1], ARGV[2]
        local now
        local replies = {}
        for i = 1, (#ARGV - 2) / 5 do
          local at, key = 2 + (i - 1) * 5, KEYS[8 + i]
          local id, sid, token = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
          local r = redis.call('HMGET', key, 'token', 'status')
          if r[1] ~= token or r[2] ~= 'running' then
            replies[i] = 0
          else
            now = now or now_ms()
            redis.call('HSET', key, 'status', 'succeeded', 'progress', '1', 'finished_at', now, 'updated_at', now)
            if ARGV[at + 4] == '1' then redis.call('HSET', key, 'result', ARGV[at + 5]) end
            redis.call('HDEL', key, 'token')
            move(id, 'running', 'succeeded', now)
            done_with(group, sid)
            redis.call('PEXPIRE', key, retention)
            replies[i] = 1
          end
        end
        return replies
        """)

    /// ARGV: id, group, stream id, token, error, delay (ms; -1 for a permanent failure),
    /// max attempts, retention (ms).
    /// Returns `{'retrying', due ms}`, `{'failed'}`, `{'dead'}` or `{'stale'}`.
    static let fail = script("""
        local r = redis.call('HMGET', KEYS[9], 'token', 'status', 'attempts', 'backoff_ms')
        if r[1] ~= ARGV[4] or r[2] ~= 'running' then return {'stale'} end
        local now = now_ms()
        local attempts = tonumber(r[3] or '0')
        local delay = tonumber(ARGV[6])
        redis.call('HSET', KEYS[9], 'error', ARGV[5], 'updated_at', now)
        redis.call('HDEL', KEYS[9], 'token')
        done_with(ARGV[2], ARGV[3])
        if delay < 0 or attempts >= tonumber(ARGV[7]) then
          local final = 'dead'
          if delay < 0 then final = 'failed' end
          redis.call('HSET', KEYS[9], 'status', final, 'finished_at', now)
          move(ARGV[1], 'running', final, now)
          redis.call('PEXPIRE', KEYS[9], ARGV[8])
          return {final}
        end
        local due = now + delay
        local delays = ARGV[6]
        if r[4] then delays = r[4] .. ',' .. ARGV[6] end
        redis.call('HSET', KEYS[9], 'status', 'retrying', 'next_run_at', due, 'backoff_ms', delays)
        redis.call('ZADD', KEYS[2], due, ARGV[1])
        move(ARGV[1], 'running', 'retrying', now)
        return {'retrying', due}
        """)

    /// ARGV: id. Moves one retrying job whose time has come from the delayed set to the stream.
    /// The ZREM inside the script is what makes concurrent movers safe: only one sees the job.
    static let promote = script("""
        local now = now_ms()
        local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not score or tonumber(score) > now then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        if redis.call('HGET', KEYS[9], 'status') ~= 'retrying' then return 0 end
        requeue(ARGV[1], now)
        move(ARGV[1], 'retrying', 'queued', now)
        return 1
        """)

    /// ARGV: id, group, stream id, consumer. Acknowledges a delivery this consumer holds but did
    /// not run and queues the job again under a new entry, so it need not wait for its lease to
    /// expire. Does nothing once another consumer owns the delivery (it claimed it, and may be
    /// running the job).
    static let release = script("""
        local pending = redis.call('XPENDING', KEYS[1], ARGV[2], ARGV[3], ARGV[3], 1)
        if #pending == 0 or pending[1][2] ~= ARGV[4] then return 0 end
        local r = redis.call('HMGET', KEYS[9], 'status', 'stream_id')
        done_with(ARGV[2], ARGV[3])
        if not r[1] or r[2] ~= ARGV[3] or is_final(r[1]) or r[1] == 'retrying' then return 0 end
        local now = now_ms()
        redis.call('HDEL', KEYS[9], 'token')
        requeue(ARGV[1], now)
        move(ARGV[1], r[1], 'queued', now)
        return 1
        """)

    /// ARGV: id. Re-queues a failed or dead job with fresh attempts, or runs a retrying one now.
    static let retry = script("""
        local status = redis.call('HGET', KEYS[9], 'status')
        if status ~= 'dead' and status ~= 'failed' and status ~= 'retrying' then return 0 end
        local now = now_ms()
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('PERSIST', KEYS[9])
        if status ~= 'retrying' then redis.call('HSET', KEYS[9], 'attempts', 0) end
        redis.call('HDEL', KEYS[9], 'finished_at', 'next_run_at', 'token')
        requeue(ARGV[1], now)
        move(ARGV[1], status, 'queued', now)
        return 1
        """)

    /// ARGV: id, status. Deletes the record if it still has that (final) status, and drops the
    /// id from that status's index in any case (an entry whose job moved on is stale).
    static let purge = script("""
        redis.call('ZREM', KEYS[STATUS[ARGV[2]]], ARGV[1])
        if redis.call('HGET', KEYS[9], 'status') ~= ARGV[2] then return 0 end
        redis.call('DEL', KEYS[9])
        return 1
        """)

    /// ARGV: id, group, max attempts, retention (ms).
    /// Checks that a queued, running or retrying job still has what moves it forward (a stream
    /// entry, a pending delivery, a place in the delayed set) and repairs it when not.
    /// Returns `ok`, `requeued`, `dead` or `removed` (the record is gone; index entries dropped).
    static let repair = script("""
        local r = redis.call('HMGET', KEYS[9], 'status', 'stream_id', 'attempts')
        local status = r[1]
        if not status then
          for _, k in pairs(STATUS) do redis.call('ZREM', KEYS[k], ARGV[1]) end
          redis.call('ZREM', KEYS[2], ARGV[1])
          return 'removed'
        end
        local now = now_ms()
        if status == 'queued' then
          if r[2] and #redis.call('XRANGE', KEYS[1], r[2], r[2]) > 0 then return 'ok' end
          requeue(ARGV[1], now)
          move(ARGV[1], 'queued', 'queued', now)
          return 'requeued'
        elseif status == 'running' then
          if r[2] and #redis.call('XPENDING', KEYS[1], ARGV[2], r[2], r[2], 1) > 0 then return 'ok' end
          redis.call('HDEL', KEYS[9], 'token')
          if tonumber(r[3] or '0') >= tonumber(ARGV[3]) then
            redis.call('HSET', KEYS[9], 'status', 'dead', 'finished_at', now, 'updated_at', now, 'error',
              'abandoned: its delivery was lost after ' .. tostring(r[3] or 0) .. ' attempts')
            move(ARGV[1], 'running', 'dead', now)
            redis.call('PEXPIRE', KEYS[9], ARGV[4])
            return 'dead'
          end
          requeue(ARGV[1], now)
          move(ARGV[1], 'running', 'queued', now)
          return 'requeued'
        elseif status == 'retrying' then
          if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 'ok' end
          redis.call('ZADD', KEYS[2], now, ARGV[1])
          return 'requeued'
        end
        return 'ok'
        """)

    /// KEYS: stream. ARGV: group, consumer. Deletes a consumer only while it has nothing
    /// pending: `XGROUP DELCONSUMER` drops a consumer's pending entries with it, which would
    /// lose their jobs' deliveries.
    static let deleteIdleConsumer = RedisScript("""
        if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
        redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """)

    /// KEYS: lease. ARGV: token, TTL (ms). Extends the lease only while this token holds it.
    static let renewLease = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """)

    /// KEYS: lease. ARGV: token. Deletes the lease only while this token holds it.
    static let releaseLease = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """)
}
