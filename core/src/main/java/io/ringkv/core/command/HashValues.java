package io.ringkv.core.command;

import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.store.CollectionLimits;
import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The value of a hash, in either of its encodings (docs/storage.md, "Values"): a listpack of field, value pairs in
 * the entry ({@link ValueEncoding#HASH_LISTPACK}), converted as Redis 7.0's t_hash.c does to an element table
 * ({@link ValueEncoding#HASH_TABLE}) once it holds more than {@code hash-max-listpack-entries} fields or a field or
 * value longer than {@code hash-max-listpack-value} bytes; a table never converts back.
 * <p>
 * Every change may move the entry: each method returns the entry's address from then on, or
 * {@link Keyspace#OUT_OF_MEMORY} having changed nothing. Not threadsafe: the engine thread owns one, through its
 * {@link HashCommands}; it allocates nothing.
 */
final class HashValues implements MemberRemoval.Members
{
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final UnsafeBuffer elementView = new UnsafeBuffer(0, 0);
    /** Whether the last {@link #set} created its field. */
    boolean created;

    /**
     * @return the field count of a hash entry.
     */
    @Override
    public long memberCount(final Keyspace keyspace, final EntryFlyweight entry)
    {
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            return keyspace.elementTables().size(tableId(entry));
        }
        return Listpack.count(entry.buffer(), entry.valueOffset()) / 2;
    }

    /**
     * Find a field of a listpack hash.
     *
     * @return index (in the entry's buffer) of the field's element, or 0.
     */
    int listpackFind(final EntryFlyweight entry, final DirectBuffer field, final int offset, final int length)
    {
        final boolean isInt = numbers.parseLong(field, offset, length);
        final long asLong = numbers.value();
        final UnsafeBuffer buffer = entry.buffer();
        final int base = entry.valueOffset();
        for (int p = Listpack.first(buffer, base); p != 0; p = Listpack.next(buffer, base, Listpack.next(buffer, base, p)))
        {
            if (Listpack.equalTo(buffer, p, field, offset, length, isInt, asLong))
            {
                return p;
            }
        }
        return 0;
    }

    /**
     * Find a field of a table hash.
     *
     * @return the element's address, or 0.
     */
    long tableFind(final Keyspace keyspace, final EntryFlyweight entry, final DirectBuffer field, final int offset,
        final int length)
    {
        return keyspace.elementTables().find(tableId(entry), field, offset, length);
    }

    /**
     * Whether writing these arguments (fields and values from {@code from} to the end, every one) forces the
     * table encoding, as Redis's hashTypeTryConversion checks before it sets anything.
     */
    boolean needsTable(final CollectionLimits limits, final CommandArgs args, final int from, final int step)
    {
        final long maxListpackValue = limits.hashMaxListpackValue();
        for (int i = from; i < args.count(); i += step)
        {
            if (args.length(i) > maxListpackValue)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Set a field to a value, creating it if absent ({@link #created} says which).
     *
     * @return the entry's address from now on, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    long set(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry,
        final DirectBuffer field, final int fieldOffset, final int fieldLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        entry.wrap(address);
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            final ElementTables tables = keyspace.elementTables();
            final int id = tableId(entry);
            final long before = tables.size(id);
            final long element = tables.put(id, field, fieldOffset, fieldLength, valueLength);
            if (element == Keyspace.OUT_OF_MEMORY)
            {
                return Keyspace.OUT_OF_MEMORY;
            }
            created = tables.size(id) != before;
            elementView.wrap(element, ElementDescriptor.valueOffset(fieldLength) + valueLength);
            elementView.putBytes(ElementDescriptor.valueOffset(fieldLength), value, valueOffset, valueLength);
            return address;
        }
        final CollectionLimits limits = keyspace.collectionLimits();
        if (fieldLength > limits.hashMaxListpackValue() || valueLength > limits.hashMaxListpackValue())
        {
            // As Redis's hashTypeSet: HINCRBY and HINCRBYFLOAT reach here without hashTypeTryConversion.
            final long converted = toTable(keyspace, db, address, entry);
            return converted == Keyspace.OUT_OF_MEMORY ? converted :
                set(keyspace, db, converted, entry, field, fieldOffset, fieldLength, value, valueOffset, valueLength);
        }
        final int p = listpackFind(entry, field, fieldOffset, fieldLength);
        final boolean valueIsInt = numbers.parseLong(value, valueOffset, valueLength);
        final long valueAsLong = numbers.value();
        final int newValueLength = Listpack.elementLength(valueLength, valueIsInt, valueAsLong);
        final int base = entry.valueOffset();
        final int total = entry.valueLength();
        final int count = Listpack.count(entry.buffer(), base);
        if (p != 0)
        {
            created = false;
            final int q = Listpack.next(entry.buffer(), base, p) - base;
            final int oldValueLength = Listpack.skip(entry.buffer(), base + q) - base - q;
            if (!limits.fitsInEntry((long)total + newValueLength - oldValueLength))
            {
                final long converted = toTable(keyspace, db, address, entry);
                return converted == Keyspace.OUT_OF_MEMORY ? converted : set(keyspace, db, converted, entry, field,
                    fieldOffset, fieldLength, value, valueOffset, valueLength);
            }
            final long moved = replace(keyspace, db, address, entry, q, oldValueLength, newValueLength);
            if (moved != Keyspace.OUT_OF_MEMORY)
            {
                Listpack.writeElement(entry.buffer(), entry.valueOffset() + q, value, valueOffset, valueLength,
                    valueIsInt, valueAsLong);
                Listpack.header(entry.buffer(), entry.valueOffset(), total + newValueLength - oldValueLength, count);
            }
            return moved;
        }
        created = true;
        final boolean fieldIsInt = numbers.parseLong(field, fieldOffset, fieldLength);
        final long fieldAsLong = numbers.value();
        final int newFieldLength = Listpack.elementLength(fieldLength, fieldIsInt, fieldAsLong);
        if (count / 2 + 1 > limits.hashMaxListpackEntries() ||
            !limits.fitsInEntry((long)total + newFieldLength + newValueLength))
        {
            final long converted = toTable(keyspace, db, address, entry);
            return converted == Keyspace.OUT_OF_MEMORY ? converted :
                set(keyspace, db, converted, entry, field, fieldOffset, fieldLength, value, valueOffset, valueLength);
        }
        final int eof = total - 1;
        final long moved = replace(keyspace, db, address, entry, eof, 0, newFieldLength + newValueLength);
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            return moved;
        }
        final UnsafeBuffer buffer = entry.buffer();
        final int at = entry.valueOffset() + eof;
        Listpack.writeElement(buffer, at, field, fieldOffset, fieldLength, fieldIsInt, fieldAsLong);
        Listpack.writeElement(buffer, at + newFieldLength, value, valueOffset, valueLength, valueIsInt, valueAsLong);
        Listpack.header(buffer, entry.valueOffset(), total + newFieldLength + newValueLength, count + 2);
        return moved;
    }

    /**
     * Delete a field.
     *
     * @return the entry's address from now on, 0 when the field was absent (nothing changed), or
     * {@link Keyspace#OUT_OF_MEMORY} when the smaller listpack's size class has no room within the budget (nothing
     * changed; rare: deleting keys frees room).
     */
    @Override
    public long removeMember(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry,
        final DirectBuffer field, final int fieldOffset, final int fieldLength)
    {
        entry.wrap(address);
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            return keyspace.elementTables().delete(tableId(entry), field, fieldOffset, fieldLength) ? address : 0;
        }
        final int p = listpackFind(entry, field, fieldOffset, fieldLength);
        if (p == 0)
        {
            return 0;
        }
        final UnsafeBuffer buffer = entry.buffer();
        final int base = entry.valueOffset();
        final int total = entry.valueLength();
        final int count = Listpack.count(buffer, base);
        final int end = Listpack.skip(buffer, Listpack.next(buffer, base, p));
        final int removed = end - p;
        final long moved = replace(keyspace, db, address, entry, p - base, removed, 0);
        if (moved != Keyspace.OUT_OF_MEMORY)
        {
            Listpack.header(entry.buffer(), entry.valueOffset(), total - removed, count - 2);
        }
        return moved;
    }

    /**
     * Convert a listpack hash to a table hash (the entry's value becomes the table's id).
     *
     * @return the entry's address from now on, or {@link Keyspace#OUT_OF_MEMORY} with nothing changed.
     */
    long toTable(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry)
    {
        final ElementTables tables = keyspace.elementTables();
        final int id = tables.create(true);
        if (id == ElementTables.NO_TABLE)
        {
            return Keyspace.OUT_OF_MEMORY;
        }
        entry.wrap(address);
        final UnsafeBuffer buffer = entry.buffer();
        final int base = entry.valueOffset();
        for (int p = Listpack.first(buffer, base); p != 0; )
        {
            final int q = Listpack.next(buffer, base, p);
            final boolean fieldIsInt = Listpack.isInt(buffer, p);
            final int fieldLength = fieldIsInt ? AsciiNumbers.putLong(fieldText, 0, Listpack.intValue(buffer, p)) :
                Listpack.stringLength(buffer, p);
            final boolean valueIsInt = Listpack.isInt(buffer, q);
            final int valueLength = valueIsInt ? AsciiNumbers.putLong(valueText, 0, Listpack.intValue(buffer, q)) :
                Listpack.stringLength(buffer, q);
            final long element = fieldIsInt ?
                tables.put(id, fieldText, 0, fieldLength, valueLength) :
                tables.put(id, buffer, Listpack.stringIndex(buffer, p), fieldLength, valueLength);
            if (element == Keyspace.OUT_OF_MEMORY)
            {
                tables.free(id);
                return Keyspace.OUT_OF_MEMORY;
            }
            elementView.wrap(element, ElementDescriptor.valueOffset(fieldLength) + valueLength);
            if (valueIsInt)
            {
                elementView.putBytes(ElementDescriptor.valueOffset(fieldLength), valueText, 0, valueLength);
            }
            else
            {
                elementView.putBytes(ElementDescriptor.valueOffset(fieldLength), buffer,
                    Listpack.stringIndex(buffer, q), valueLength);
            }
            p = Listpack.next(buffer, base, q);
        }
        final long moved = keyspace.resizeValue(db, address, ValueEncoding.TABLE_ID_LENGTH);
        if (moved == Keyspace.OUT_OF_MEMORY)
        {
            tables.free(id);
            return moved;
        }
        keyspace.encoding(moved, ValueEncoding.HASH_TABLE);
        keyspace.adoptTable(moved, id);
        entry.wrap(moved);
        return moved;
    }

    private final UnsafeBuffer fieldText = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);
    private final UnsafeBuffer valueText = new UnsafeBuffer(new byte[AsciiNumbers.MAX_LONG_DIGITS]);

    /**
     * Replace {@code oldLength} bytes at {@code at} (relative to the value) by room for {@code newLength} bytes,
     * moving the rest of the listpack; the room's contents are undefined.
     */
    private static long replace(final Keyspace keyspace, final int db, final long address, final EntryFlyweight entry,
        final int at, final int oldLength, final int newLength)
    {
        final int total = entry.valueLength();
        final int tail = total - at - oldLength;
        if (newLength > oldLength)
        {
            final long moved = keyspace.resizeValue(db, address, total + newLength - oldLength);
            if (moved == Keyspace.OUT_OF_MEMORY)
            {
                return moved;
            }
            entry.wrap(moved);
            final UnsafeBuffer buffer = entry.buffer();
            final int base = entry.valueOffset();
            buffer.putBytes(base + at + newLength, buffer, base + at + oldLength, tail);
            return moved;
        }
        // Checked before the bytes move, so that a refusal changes nothing.
        if (newLength != oldLength && !keyspace.canResizeValue(address, total + newLength - oldLength))
        {
            return Keyspace.OUT_OF_MEMORY;
        }
        final UnsafeBuffer buffer = entry.buffer();
        final int base = entry.valueOffset();
        buffer.putBytes(base + at + newLength, buffer, base + at + oldLength, tail);
        if (newLength == oldLength)
        {
            return address;
        }
        final long moved = keyspace.resizeValue(db, address, total + newLength - oldLength);
        entry.wrap(moved);
        return moved;
    }

    /**
     * DUMP of a hash: a listpack as RDB_TYPE_HASH_LISTPACK (the bytes Redis writes), a table as RDB_TYPE_HASH
     * (its pairs in table order, which Redis reads as it reads its own).
     *
     * @return the payload's length.
     */
    static int dump(final DumpPayloadWriter writer, final Keyspace keyspace, final EntryFlyweight entry,
        final MutableDirectBuffer dst, final int dstIndex)
    {
        if (entry.encoding() != ValueEncoding.HASH_TABLE)
        {
            return writer.writeBlob(DumpPayloadDescriptor.TYPE_HASH_LISTPACK, entry.buffer(), entry.valueOffset(),
                entry.valueLength(), dst, dstIndex);
        }
        final ElementTables tables = keyspace.elementTables();
        final int id = tableId(entry);
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        final int[] position = {writer.startCollection(DumpPayloadDescriptor.TYPE_HASH, tables.size(id), dst,
            dstIndex)};
        tables.forEach(id, element ->
        {
            final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
            final int valueLength = valueLength(element);
            view.wrap(element, ElementDescriptor.valueOffset(keyLength) + valueLength);
            position[0] = writer.appendString(view, ElementDescriptor.KEY_OFFSET, keyLength, dst, position[0]);
            position[0] = writer.appendString(view, ElementDescriptor.valueOffset(keyLength), valueLength, dst,
                position[0]);
        });
        return writer.finish(dst, dstIndex, position[0]);
    }

    /**
     * @return the table id a {@link ValueEncoding#HASH_TABLE} entry holds.
     */
    static int tableId(final EntryFlyweight entry)
    {
        return entry.buffer().getInt(entry.valueOffset());
    }

    /**
     * @return the value length of a table hash's element.
     */
    static int valueLength(final long element)
    {
        return UnsafeApi.getInt(element + ElementDescriptor.valueLengthOffset(
            UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET)));
    }
}
