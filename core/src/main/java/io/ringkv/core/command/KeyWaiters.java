package io.ringkv.core.command;

/**
 * The clients blocked on one key, in the order they blocked (Redis's db->blocking_keys list): a doubly linked list
 * of {@link Node}s, so a client that leaves (served, timed out, disconnected) is unlinked in O(1) whatever its place.
 * Engine thread only.
 */
final class KeyWaiters
{
    /** One client's place in one key's queue. */
    static final class Node
    {
        final BlockedClient client;
        final KeyWaiters queue;
        Node previous;
        Node next;

        Node(final BlockedClient client, final KeyWaiters queue)
        {
            this.client = client;
            this.queue = queue;
        }
    }

    final BlockingKey key;
    /** True while the key is in {@link BlockedClients}'s ready list (a key is listed once, as in Redis). */
    boolean ready;
    private Node head;
    private Node tail;
    private int size;

    KeyWaiters(final BlockingKey key)
    {
        this.key = key;
    }

    Node append(final BlockedClient client)
    {
        final Node node = new Node(client, this);
        node.previous = tail;
        if (null == tail)
        {
            head = node;
        }
        else
        {
            tail.next = node;
        }
        tail = node;
        size++;
        return node;
    }

    void remove(final Node node)
    {
        if (null == node.previous)
        {
            head = node.next;
        }
        else
        {
            node.previous.next = node.next;
        }
        if (null == node.next)
        {
            tail = node.previous;
        }
        else
        {
            node.next.previous = node.previous;
        }
        node.previous = null;
        node.next = null;
        size--;
    }

    /**
     * Move the first client to the end (Redis's listRotateHeadToTail: one waiting for another type is passed over).
     */
    void rotateHeadToTail()
    {
        if (size > 1)
        {
            final Node first = head;
            remove(first);
            first.previous = tail;
            tail.next = first;
            tail = first;
            size++;
        }
    }

    BlockedClient first()
    {
        return null == head ? null : head.client;
    }

    /**
     * @return true when {@code client} is the last to have joined: blocking on the same key twice adds it once.
     */
    boolean endsWith(final BlockedClient client)
    {
        return null != tail && tail.client == client;
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }
}
