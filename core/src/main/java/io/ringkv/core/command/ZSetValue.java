package io.ringkv.core.command;

import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import io.ringkv.core.store.ZSkipList;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * One sorted set, whatever its encoding, seen as members ordered by (score, member) with ranks: the one place the
 * sorted-set commands read and change a value. A listpack set ({@link ValueEncoding#ZSET_LISTPACK}, Redis 7.0's
 * member, score, member, score... sorted) is decoded into reused arrays when bound and written back whole by
 * {@link #commit} (at most {@code zset-max-listpack-entries} members: O(n) per command, as Redis's listpack
 * operations); a skip list set ({@link ValueEncoding#ZSET_SKIPLIST}) is changed in place through {@link ZSkipList}.
 * A listpack converts to a skip list as Redis 7.0's zsetAdd decides (one member too many, or a member longer than
 * {@code zset-max-listpack-value}); a skip list never converts back except when a whole set is built
 * ({@link #build}).
 * <p>
 * A cursor ({@link #seek}, {@link #step}) reads members in order; {@link #member} views stay valid until the next
 * change. Not threadsafe: one per command class on the engine thread; allocates only while growing its arrays.
 */
final class ZSetValue
{
    static final long OOM = Keyspace.OUT_OF_MEMORY;

    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final UnsafeBuffer scoreText = new UnsafeBuffer(new byte[RedisDoubleFormat.MAX_LENGTH]);
    private final UnsafeBuffer elementView = new UnsafeBuffer(0, 0);
    private Keyspace keyspace;
    private ElementTables tables;
    private ZSkipList skipList;
    private final EntryFlyweight entry = new EntryFlyweight();
    private int db;
    private long address;
    private boolean listpack;
    private int tableId;
    private boolean dirty;

    // Listpack form, decoded: member i is arena[memberOffsets[i] .. + memberLengths[i]], score scores[i].
    private UnsafeBuffer arena = new UnsafeBuffer(new byte[1024]);
    private int arenaUsed;
    private int[] memberOffsets = new int[256];
    private int[] memberLengths = new int[256];
    private double[] scores = new double[256];
    private int count;

    // Cursor.
    private long cursorRank;
    private long cursorElement;
    private double foundScore;

    /**
     * Bind to an existing sorted set.
     *
     * @return this.
     */
    ZSetValue wrap(final Keyspace keyspace, final int db, final long address)
    {
        this.keyspace = keyspace;
        this.tables = keyspace.elementTables();
        this.skipList = tables.skipList();
        this.db = db;
        this.address = address;
        this.dirty = false;
        entry.wrap(address);
        listpack = entry.encoding() == ValueEncoding.ZSET_LISTPACK;
        if (listpack)
        {
            decode(entry.buffer(), entry.valueOffset());
        }
        else
        {
            tableId = entry.buffer().getInt(entry.valueOffset());
        }
        return this;
    }

    /**
     * Create an empty listpack sorted set under a key (ZADD of a new key); it must get a member before
     * {@link #commit}, which deletes an empty set.
     *
     * @param skipListForm true to start as a skip list (Redis: the first member is too long, or entries is 0).
     * @return this, or null when out of memory (nothing created).
     */
    ZSetValue create(final Keyspace keyspace, final int db, final DirectBuffer key, final int keyOffset,
        final int keyLength, final boolean skipListForm)
    {
        final long at;
        if (skipListForm)
        {
            final int id = keyspace.elementTables().createSorted();
            if (id == ElementTables.NO_TABLE)
            {
                return null;
            }
            at = keyspace.put(db, key, keyOffset, keyLength, ValueType.ZSET, ValueEncoding.ZSET_SKIPLIST,
                ValueEncoding.TABLE_ID_LENGTH, Keyspace.NO_EXPIRY);
            if (at == Keyspace.OUT_OF_MEMORY)
            {
                keyspace.elementTables().free(id);
                return null;
            }
            keyspace.adoptTable(at, id);
        }
        else
        {
            at = keyspace.put(db, key, keyOffset, keyLength, ValueType.ZSET, ValueEncoding.ZSET_LISTPACK,
                Listpack.EMPTY_LENGTH, Keyspace.NO_EXPIRY);
            if (at == Keyspace.OUT_OF_MEMORY)
            {
                return null;
            }
            entry.wrap(at);
            Listpack.writeEmpty(entry.buffer(), entry.valueOffset());
        }
        return wrap(keyspace, db, at);
    }

    private void decode(final DirectBuffer buffer, final int base)
    {
        count = 0;
        arenaUsed = 0;
        for (int p = Listpack.first(buffer, base); p != 0; )
        {
            final int q = Listpack.next(buffer, base, p);
            ensureCapacity(count + 1);
            final int at;
            final int length;
            if (Listpack.isInt(buffer, p))
            {
                ensureArena(AsciiNumbers.MAX_LONG_DIGITS);
                at = arenaUsed;
                length = AsciiNumbers.putLong(arena, at, Listpack.intValue(buffer, p));
            }
            else
            {
                length = Listpack.stringLength(buffer, p);
                ensureArena(length);
                at = arenaUsed;
                arena.putBytes(at, buffer, Listpack.stringIndex(buffer, p), length);
            }
            arenaUsed += length;
            memberOffsets[count] = at;
            memberLengths[count] = length;
            scores[count] = listpackScore(buffer, q);
            count++;
            p = Listpack.next(buffer, base, q);
        }
    }

    private final ZSetScores scoreParser = new ZSetScores();

    private double listpackScore(final DirectBuffer buffer, final int q)
    {
        if (Listpack.isInt(buffer, q))
        {
            return Listpack.intValue(buffer, q);
        }
        scoreParser.parseScore(buffer, Listpack.stringIndex(buffer, q), Listpack.stringLength(buffer, q));
        return scoreParser.value();
    }

    private void ensureCapacity(final int n)
    {
        if (n > scores.length)
        {
            final int length = Math.max(n, scores.length * 2);
            memberOffsets = Arrays.copyOf(memberOffsets, length);
            memberLengths = Arrays.copyOf(memberLengths, length);
            scores = Arrays.copyOf(scores, length);
        }
    }

    private void ensureArena(final int more)
    {
        if (arenaUsed + more > arena.capacity())
        {
            final byte[] bytes = Arrays.copyOf(arena.byteArray(), Math.max(arenaUsed + more, arena.capacity() * 2));
            arena = new UnsafeBuffer(bytes);
        }
    }

    long address()
    {
        return address;
    }

    boolean isListpack()
    {
        return listpack;
    }

    long size()
    {
        return listpack ? count : tables.size(tableId);
    }

    // ---------------------------------------------------------------- lookups
    // (the in-entry size check above is an upper bound of the listpack's length: members, plus at most 48 bytes of
    // encodings, backlens and score per member)

    /**
     * Find a member; on success the cursor is on it and {@link #foundScore()} is its score.
     */
    boolean find(final DirectBuffer member, final int offset, final int length)
    {
        if (listpack)
        {
            final int i = indexOf(member, offset, length);
            if (i < 0)
            {
                return false;
            }
            cursorRank = i;
            foundScore = scores[i];
            return true;
        }
        final long element = tables.find(tableId, member, offset, length);
        if (element == 0)
        {
            return false;
        }
        cursorElement = element;
        cursorRank = -1;
        foundScore = ZSkipList.score(element);
        return true;
    }

    private int indexOf(final DirectBuffer member, final int offset, final int length)
    {
        final byte[] bytes = arena.byteArray();
        final Object base = member.byteArray();
        final long address = member.addressOffset() + offset;
        for (int i = 0; i < count; i++)
        {
            if (memberLengths[i] == length && ZSkipList.compareMembers(bytes,
                org.agrona.BufferUtil.ARRAY_BASE_OFFSET + memberOffsets[i], length, base, address, length) == 0)
            {
                return i;
            }
        }
        return -1;
    }

    double foundScore()
    {
        return foundScore;
    }

    /**
     * @return the 0-based rank of the member {@link #find} found last.
     */
    long foundRank()
    {
        if (listpack)
        {
            return cursorRank;
        }
        return skipList.rank(tableId, cursorElement);
    }

    // ---------------------------------------------------------------- cursor

    /**
     * Put the cursor on rank {@code rank} (0-based, below {@link #size}).
     */
    void seek(final long rank)
    {
        cursorRank = rank;
        if (!listpack)
        {
            cursorElement = skipList.elementAt(tableId, rank);
        }
    }

    /**
     * Move the cursor one member up (or down when {@code reverse}); past either end it is off the set.
     */
    void step(final boolean reverse)
    {
        cursorRank += reverse ? -1 : 1;
        if (!listpack)
        {
            cursorElement = reverse ? ZSkipList.previous(cursorElement) : ZSkipList.next(cursorElement);
        }
    }

    double score()
    {
        return listpack ? scores[(int)cursorRank] : ZSkipList.score(cursorElement);
    }

    DirectBuffer member()
    {
        if (listpack)
        {
            return arena;
        }
        elementView.wrap(ZSkipList.memberAddress(cursorElement), ZSkipList.memberLength(cursorElement));
        return elementView;
    }

    int memberOffset()
    {
        return listpack ? memberOffsets[(int)cursorRank] : 0;
    }

    int memberLength()
    {
        return listpack ? memberLengths[(int)cursorRank] : ZSkipList.memberLength(cursorElement);
    }

    // ---------------------------------------------------------------- ranges

    /**
     * @return rank of the first member with score above {@code min} (or at it, when not exclusive); size() if none.
     */
    long firstByScore(final double min, final boolean exclusive)
    {
        if (listpack)
        {
            int i = 0;
            while (i < count && (exclusive ? scores[i] <= min : scores[i] < min))
            {
                i++;
            }
            return i;
        }
        scoreTest.limit = min;
        scoreTest.exclusive = exclusive;
        scoreTest.upper = false;
        skipList.firstNotBelow(tableId, scoreTest);
        return skipList.foundRank();
    }

    /**
     * @return rank of the last member with score below {@code max} (or at it, when not exclusive); -1 if none.
     */
    long lastByScore(final double max, final boolean exclusive)
    {
        if (listpack)
        {
            int i = count - 1;
            while (i >= 0 && (exclusive ? scores[i] >= max : scores[i] > max))
            {
                i--;
            }
            return i;
        }
        scoreTest.limit = max;
        scoreTest.exclusive = exclusive;
        scoreTest.upper = true;
        skipList.lastNotAbove(tableId, scoreTest);
        return skipList.foundRank();
    }

    /** Is an element below a score minimum / above a score maximum. */
    private static final class ScoreTest implements ZSkipList.ElementTest
    {
        double limit;
        boolean exclusive;
        boolean upper;

        public boolean test(final long element)
        {
            final double s = ZSkipList.score(element);
            return upper ? (exclusive ? s >= limit : s > limit) : (exclusive ? s <= limit : s < limit);
        }
    }

    private final ScoreTest scoreTest = new ScoreTest();
    private final LexTest lexTest = new LexTest();

    /** Is an element below a lex minimum / above a lex maximum ({@link LexRange}'s bounds). */
    private static final class LexTest implements ZSkipList.ElementTest
    {
        LexRange range;
        boolean upper;

        public boolean test(final long element)
        {
            return upper ? range.aboveMax(null, ZSkipList.memberAddress(element), ZSkipList.memberLength(element)) :
                range.belowMin(null, ZSkipList.memberAddress(element), ZSkipList.memberLength(element));
        }
    }

    /**
     * @return rank of the first member not below the range's minimum; size() if none.
     */
    long firstByLex(final LexRange range)
    {
        if (listpack)
        {
            int i = 0;
            while (i < count && range.belowMin(arena.byteArray(), org.agrona.BufferUtil.ARRAY_BASE_OFFSET + memberOffsets[i],
                memberLengths[i]))
            {
                i++;
            }
            return i;
        }
        lexTest.range = range;
        lexTest.upper = false;
        skipList.firstNotBelow(tableId, lexTest);
        lexTest.range = null;
        return skipList.foundRank();
    }

    /**
     * @return rank of the last member not above the range's maximum; -1 if none.
     */
    long lastByLex(final LexRange range)
    {
        if (listpack)
        {
            int i = count - 1;
            while (i >= 0 && range.aboveMax(arena.byteArray(), org.agrona.BufferUtil.ARRAY_BASE_OFFSET + memberOffsets[i],
                memberLengths[i]))
            {
                i--;
            }
            return i;
        }
        lexTest.range = range;
        lexTest.upper = true;
        skipList.lastNotAbove(tableId, lexTest);
        lexTest.range = null;
        return skipList.foundRank();
    }

    // ---------------------------------------------------------------- changes

    /**
     * Add a member the set does not hold ({@link #find} said so), converting first when Redis would.
     *
     * @return true, or false when out of memory (the set holds what it held before this call).
     */
    boolean add(final DirectBuffer member, final int offset, final int length, final double score)
    {
        final CollectionLimits limits = keyspace.collectionLimits();
        if (listpack && (count + 1 > limits.zsetMaxListpackEntries() || length > limits.zsetMaxListpackValue() ||
            !limits.fitsInEntry(arenaUsed + length + (count + 1) * 48L)))
        {
            if (!toSkipList())
            {
                return false;
            }
        }
        if (!listpack)
        {
            return skipList.insert(tableId, member, offset, length, score) != Keyspace.OUT_OF_MEMORY;
        }
        int i = insertionPoint(score, member.byteArray(), member.addressOffset() + offset, length);
        ensureCapacity(count + 1);
        ensureArena(length);
        System.arraycopy(memberOffsets, i, memberOffsets, i + 1, count - i);
        System.arraycopy(memberLengths, i, memberLengths, i + 1, count - i);
        System.arraycopy(scores, i, scores, i + 1, count - i);
        arena.putBytes(arenaUsed, member, offset, length);
        memberOffsets[i] = arenaUsed;
        memberLengths[i] = length;
        scores[i] = asStored(score);
        arenaUsed += length;
        count++;
        dirty = true;
        return true;
    }

    private int insertionPoint(final double score, final Object base, final long address, final int length)
    {
        int i = 0;
        while (i < count && (scores[i] < score || scores[i] == score && ZSkipList.compareMembers(arena.byteArray(),
            org.agrona.BufferUtil.ARRAY_BASE_OFFSET + memberOffsets[i], memberLengths[i], base, address, length) < 0))
        {
            i++;
        }
        return i;
    }

    /**
     * Change the score of the member {@link #find} found last.
     */
    void updateFound(final double score)
    {
        if (!listpack)
        {
            skipList.updateScore(tableId, cursorElement, score);
            return;
        }
        final int from = (int)cursorRank;
        final int offset = memberOffsets[from];
        final int length = memberLengths[from];
        removeAt(from);
        final int to = insertionPoint(score, arena.byteArray(), org.agrona.BufferUtil.ARRAY_BASE_OFFSET + offset, length);
        System.arraycopy(memberOffsets, to, memberOffsets, to + 1, count - to);
        System.arraycopy(memberLengths, to, memberLengths, to + 1, count - to);
        System.arraycopy(scores, to, scores, to + 1, count - to);
        memberOffsets[to] = offset;
        memberLengths[to] = length;
        scores[to] = asStored(score);
        count++;
        dirty = true;
    }

    /**
     * Remove the member {@link #find} found last (or the cursor's member).
     */
    void removeFound()
    {
        if (listpack)
        {
            removeAt((int)cursorRank);
            dirty = true;
        }
        else
        {
            skipList.delete(tableId, cursorElement);
        }
    }

    private void removeAt(final int i)
    {
        System.arraycopy(memberOffsets, i + 1, memberOffsets, i, count - i - 1);
        System.arraycopy(memberLengths, i + 1, memberLengths, i, count - i - 1);
        System.arraycopy(scores, i + 1, scores, i, count - i - 1);
        count--;
    }

    /**
     * Remove ranks {@code from..to} (inclusive, valid), calling {@code removed} with each member first.
     */
    void removeRange(final long from, final long to, final MemberSink removed)
    {
        if (listpack)
        {
            for (long r = from; r <= to; r++)
            {
                cursorRank = r;
                removed.accept(arena, memberOffsets[(int)r], memberLengths[(int)r], scores[(int)r]);
            }
            final int n = (int)(to - from + 1);
            System.arraycopy(memberOffsets, (int)to + 1, memberOffsets, (int)from, count - (int)to - 1);
            System.arraycopy(memberLengths, (int)to + 1, memberLengths, (int)from, count - (int)to - 1);
            System.arraycopy(scores, (int)to + 1, scores, (int)from, count - (int)to - 1);
            count -= n;
            dirty = true;
            return;
        }
        long element = skipList.elementAt(tableId, from);
        for (long r = from; r <= to; r++)
        {
            final long next = ZSkipList.next(element);
            elementView.wrap(ZSkipList.memberAddress(element), ZSkipList.memberLength(element));
            removed.accept(elementView, 0, ZSkipList.memberLength(element), ZSkipList.score(element));
            skipList.delete(tableId, element);
            element = next;
        }
    }

    /** Receives members (removed, popped...). */
    @FunctionalInterface
    interface MemberSink
    {
        void accept(DirectBuffer member, int offset, int length, double score);
    }

    /**
     * Write a changed listpack back into its entry, or delete the key when the set is empty.
     *
     * @return true, or false when out of memory (the entry keeps what it held before this command's changes).
     */
    boolean commit()
    {
        if (size() == 0)
        {
            keyspace.delete(db, address);
            address = Keyspace.NOT_FOUND;
            dirty = false;
            return true;
        }
        if (!listpack || !dirty)
        {
            return true;
        }
        final int length = encodedLength();
        if (!keyspace.canResizeValue(address, length))
        {
            keyspace.resizeValue(db, address, length);    // counted as refused for memory
            entry.wrap(address);
            if (Listpack.count(entry.buffer(), entry.valueOffset()) == 0)
            {
                keyspace.delete(db, address);    // a set this command created empty: it must not stay
                address = Keyspace.NOT_FOUND;
            }
            return false;
        }
        address = keyspace.resizeValue(db, address, length);
        entry.wrap(address);
        encode(entry.buffer(), entry.valueOffset(), length);
        dirty = false;
        return true;
    }

    /**
     * Whether the set exists after the last {@link #commit} (false: it was emptied and its key deleted).
     */
    boolean exists()
    {
        return address != Keyspace.NOT_FOUND;
    }

    private int encodedLength()
    {
        long length = Listpack.EMPTY_LENGTH;
        for (int i = 0; i < count; i++)
        {
            length += memberEncodedLength(i) + scoreEncodedLength(scores[i]);
        }
        return (int)Math.min(length, Integer.MAX_VALUE);
    }

    private int memberEncodedLength(final int i)
    {
        final boolean isInt = numbers.parseLong(arena, memberOffsets[i], memberLengths[i]);
        return Listpack.elementLength(memberLengths[i], isInt, isInt ? numbers.value() : 0);
    }

    /**
     * A score as Redis 7.0.15's zzlInsertAt stores it: an integer element when double2ll says it is one (integral,
     * within +-2^62: so -0 is stored as 0), else d2string's text.
     */
    private int scoreEncodedLength(final double score)
    {
        if (isStoredAsInteger(score))
        {
            return Listpack.elementLength(0, true, (long)score);
        }
        return Listpack.elementLength(doubleFormat.format(score, scoreText, 0), false, 0);
    }

    /**
     * A score as a listpack gives it back: -0 is stored as the integer 0 (so a set converted later in the same
     * command holds 0, as in Redis).
     */
    private static double asStored(final double score)
    {
        return score == 0 ? 0.0 : score;
    }

    private static boolean isStoredAsInteger(final double score)
    {
        return score >= (double)(-Long.MAX_VALUE / 2) && score <= (double)(Long.MAX_VALUE / 2) &&
            (double)(long)score == score;
    }

    private void encode(final MutableDirectBuffer buffer, final int base, final int length)
    {
        int p = base + Listpack.HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final boolean memberIsInt = numbers.parseLong(arena, memberOffsets[i], memberLengths[i]);
            p += Listpack.writeElement(buffer, p, arena, memberOffsets[i], memberLengths[i], memberIsInt,
                memberIsInt ? numbers.value() : 0);
            if (isStoredAsInteger(scores[i]))
            {
                p += Listpack.writeInt(buffer, p, (long)scores[i]);
            }
            else
            {
                final int scoreLength = doubleFormat.format(scores[i], scoreText, 0);
                p += Listpack.writeElement(buffer, p, scoreText, 0, scoreLength, false, 0);
            }
        }
        buffer.putByte(p, (byte)Listpack.EOF);
        Listpack.header(buffer, base, length, Math.min(count * 2, Listpack.COUNT_UNKNOWN));
    }

    /**
     * Convert the decoded listpack (with any uncommitted changes) into a skip list held by the entry.
     */
    private boolean toSkipList()
    {
        final int id = tables.createSorted();
        if (id == ElementTables.NO_TABLE)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (skipList.insert(id, arena, memberOffsets[i], memberLengths[i], scores[i]) == Keyspace.OUT_OF_MEMORY)
            {
                tables.free(id);
                return false;
            }
        }
        final long moved = keyspace.resizeValue(db, address, ValueEncoding.TABLE_ID_LENGTH);
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            tables.free(id);
            return false;
        }
        keyspace.encoding(moved, ValueEncoding.ZSET_SKIPLIST);
        keyspace.adoptTable(moved, id);
        address = moved;
        listpack = false;
        tableId = id;
        dirty = false;
        return true;
    }

    /**
     * Format a score as Redis prints it (and stores it in a listpack).
     *
     * @return the text's length in {@link #scoreText()}.
     */
    int formatScore(final double score)
    {
        return doubleFormat.format(score, scoreText, 0);
    }

    UnsafeBuffer scoreText()
    {
        return scoreText;
    }

    /**
     * Replace whatever {@code key} holds with a sorted set of these members, sorted by (score, member) and without
     * repeats, in the encoding Redis 7.0 gives a set built whole (zsetConvertToListpackIfNeeded): a listpack when
     * it is small enough. The key keeps no TTL. Nothing is done for an empty set (the caller deletes the key).
     *
     * @return true, or false when out of memory (the key is then unchanged).
     */
    boolean build(final Keyspace keyspace, final int db, final DirectBuffer key, final int keyOffset,
        final int keyLength, final ZSetBuilder members, final long expireAtMs, final boolean listpackUnlessTooMany)
    {
        final CollectionLimits limits = keyspace.collectionLimits();
        final int n = members.size();
        boolean small = n <= limits.zsetMaxListpackEntries() && (listpackUnlessTooMany ||
            members.maxMemberLength() <= limits.zsetMaxListpackValue());
        this.keyspace = keyspace;
        this.tables = keyspace.elementTables();
        this.skipList = tables.skipList();
        this.db = db;
        if (small)
        {
            count = 0;
            arenaUsed = 0;
            for (int i = 0; i < n; i++)
            {
                final int length = members.memberLength(i);
                ensureCapacity(count + 1);
                ensureArena(length);
                arena.putBytes(arenaUsed, members.arena(), members.memberOffset(i), length);
                memberOffsets[count] = arenaUsed;
                memberLengths[count] = length;
                scores[count] = members.score(i);
                arenaUsed += length;
                count++;
            }
            final int length = encodedLength();
            small = limits.fitsInEntry(length);
            if (small)
            {
                final long at = keyspace.put(db, key, keyOffset, keyLength, ValueType.ZSET,
                    ValueEncoding.ZSET_LISTPACK, length, expireAtMs);
                if (at == Keyspace.OUT_OF_MEMORY)
                {
                    return false;
                }
                entry.wrap(at);
                encode(entry.buffer(), entry.valueOffset(), length);
                address = at;
                listpack = true;
                dirty = false;
                return true;
            }
        }
        final int id = tables.createSorted();
        if (id == ElementTables.NO_TABLE)
        {
            return false;
        }
        for (int i = 0; i < n; i++)
        {
            if (skipList.insert(id, members.arena(), members.memberOffset(i), members.memberLength(i),
                members.score(i)) == Keyspace.OUT_OF_MEMORY)
            {
                tables.free(id);
                return false;
            }
        }
        final long at = keyspace.put(db, key, keyOffset, keyLength, ValueType.ZSET, ValueEncoding.ZSET_SKIPLIST,
            ValueEncoding.TABLE_ID_LENGTH, expireAtMs);
        if (at == Keyspace.OUT_OF_MEMORY)
        {
            tables.free(id);
            return false;
        }
        keyspace.adoptTable(at, id);
        address = at;
        listpack = false;
        tableId = id;
        return true;
    }
}
