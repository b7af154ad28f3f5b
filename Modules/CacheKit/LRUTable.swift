import Foundation

/// The storage behind ``InProcessTTLCache``: a dictionary from key to slot, and a doubly linked
/// list threaded through an array of slots, most recently used at the head.
///
/// Every operation — look up, touch, insert, remove, evict the least recently used — is O(1).
/// The list links are array indices rather than object references, so there is no per-entry
/// allocation, no reference counting on the hot path, and freed slots are reused. (An ordered
/// dictionary would keep the order too, but removing from its middle is O(n).)
///
/// Not thread-safe: the cache keeps it inside a `Mutex`.
struct LRUTable {
    struct Entry {
        var key: String
        var value: Data
        var expiresAt: ContinuousClock.Instant
        var previous: Int
        var next: Int
    }

    /// The "no slot" link value.
    static let none = -1

    private var slots: [String: Int] = [:]
    private var entries: [Entry] = []
    private var freeSlots: [Int] = []
    private var head = LRUTable.none
    private var tail = LRUTable.none

    /// The number of entries stored, expired or not.
    var count: Int { slots.count }

    /// The slot holding `key`, if any.
    func slot(for key: String) -> Int? { slots[key] }

    /// The entry in `slot`, which must be occupied.
    subscript(slot: Int) -> Entry { entries[slot] }

    // Field accessors for the hot path: reading one field through the subscript would copy the
    // whole entry, retaining and releasing its key and value on every lookup.

    /// The key in an occupied slot.
    func key(at slot: Int) -> String { entries[slot].key }

    /// The value in an occupied slot.
    func value(at slot: Int) -> Data { entries[slot].value }

    /// When the entry in an occupied slot expires.
    func expiry(at slot: Int) -> ContinuousClock.Instant { entries[slot].expiresAt }

    /// The least recently used entry's slot, the next one to evict.
    var leastRecentlyUsed: Int? { tail == Self.none ? nil : tail }

    /// Every occupied slot, most recently used first.
    var slotsByRecency: [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        var slot = head
        while slot != Self.none {
            result.append(slot)
            slot = entries[slot].next
        }
        return result
    }

    /// Stores a new key at the head of the list and returns its slot. The key must be absent.
    mutating func insert(_ key: String, value: Data, expiresAt: ContinuousClock.Instant) -> Int {
        let entry = Entry(key: key, value: value, expiresAt: expiresAt, previous: Self.none, next: Self.none)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            entries[slot] = entry
        } else {
            slot = entries.count
            entries.append(entry)
        }
        slots[key] = slot
        linkAtHead(slot)
        return slot
    }

    /// Replaces the value and expiry in an occupied slot and marks it most recently used.
    mutating func update(_ slot: Int, value: Data, expiresAt: ContinuousClock.Instant) {
        entries[slot].value = value
        entries[slot].expiresAt = expiresAt
        touch(slot)
    }

    /// Marks an occupied slot most recently used.
    mutating func touch(_ slot: Int) {
        guard slot != head else { return }
        unlink(slot)
        linkAtHead(slot)
    }

    /// Removes the entry in an occupied slot and frees the slot.
    mutating func remove(_ slot: Int) {
        unlink(slot)
        slots.removeValue(forKey: entries[slot].key)
        // Drop the key and value now rather than when the slot is reused, so that a freed slot
        // does not keep a large response alive.
        entries[slot].key = ""
        entries[slot].value = Data()
        freeSlots.append(slot)
    }

    /// Removes every entry, keeping the allocated capacity for the refill that usually follows.
    mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        freeSlots.removeAll(keepingCapacity: true)
        head = Self.none
        tail = Self.none
    }

    private mutating func linkAtHead(_ slot: Int) {
        entries[slot].previous = Self.none
        entries[slot].next = head
        if head != Self.none { entries[head].previous = slot }
        head = slot
        if tail == Self.none { tail = slot }
    }

    private mutating func unlink(_ slot: Int) {
        let previous = entries[slot].previous
        let next = entries[slot].next
        if previous != Self.none { entries[previous].next = next } else { head = next }
        if next != Self.none { entries[next].previous = previous } else { tail = previous }
        entries[slot].previous = Self.none
        entries[slot].next = Self.none
    }
}
