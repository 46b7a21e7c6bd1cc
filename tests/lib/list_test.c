/*
 * list_test.c - tests for the doubly linked lists of include/kernel/list.h
 * (suite "list").
 *
 * Besides the order the entries come out in, each case checks the links
 * in both directions, since a broken prev pointer only shows up later.
 */
#include <kernel/ktest.h>
#include <kernel/list.h>

struct item {
	int value;
	struct list_head node;
};

/* Whether every next/prev pair agrees and the ring closes at head. */
static bool list_links_ok(const struct list_head *head)
{
	const struct list_head *p = head;

	do {
		if (p->next->prev != p || p->prev->next != p)
			return false;
		p = p->next;
	} while (p != head);
	return true;
}

/* The values in list order, packed as decimal digits (1, 2, 3 -> 123). */
static int list_digits(struct list_head *head)
{
	struct item *it;
	int v = 0;

	list_for_each_entry (it, head, node)
		v = v * 10 + it->value;
	return v;
}

static void items_init(struct item *items, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		items[i].value = i + 1;
		list_init(&items[i].node);
	}
}

KTEST(list, init_makes_empty_list)
{
	struct list_head head;
	LIST_HEAD(static_head);

	list_init(&head);
	KEXPECT_TRUE(t, list_empty(&head));
	KEXPECT_EQ(t, list_count(&head), 0);
	KEXPECT_PTR_EQ(t, head.next, &head);
	KEXPECT_PTR_EQ(t, head.prev, &head);
	KEXPECT_TRUE(t, list_empty(&static_head));
	KEXPECT_TRUE(t, list_links_ok(&static_head));
}

KTEST(list, add_inserts_at_front)
{
	struct item items[3];
	LIST_HEAD(head);
	int i;

	items_init(items, 3);
	for (i = 0; i < 3; i++)
		list_add(&items[i].node, &head);
	KEXPECT_FALSE(t, list_empty(&head));
	KEXPECT_EQ(t, list_count(&head), 3);
	KEXPECT_EQ(t, list_digits(&head), 321);
	KEXPECT_TRUE(t, list_links_ok(&head));
	KEXPECT_EQ(t, list_first_entry(&head, struct item, node)->value, 3);
}

KTEST(list, add_tail_inserts_at_back)
{
	struct item items[3];
	LIST_HEAD(head);
	int i;

	items_init(items, 3);
	for (i = 0; i < 3; i++)
		list_add_tail(&items[i].node, &head);
	KEXPECT_EQ(t, list_digits(&head), 123);
	KEXPECT_TRUE(t, list_links_ok(&head));
	KEXPECT_EQ(t, list_first_entry(&head, struct item, node)->value, 1);
	KEXPECT_PTR_EQ(t, head.prev, &items[2].node);
}

KTEST(list, del_unlinks_and_reinitialises_node)
{
	struct item items[4];
	LIST_HEAD(head);
	int i;

	items_init(items, 4);
	for (i = 0; i < 4; i++)
		list_add_tail(&items[i].node, &head);

	list_del(&items[1].node); /* middle */
	KEXPECT_EQ(t, list_digits(&head), 134);
	KEXPECT_TRUE(t, list_empty(&items[1].node));
	KEXPECT_TRUE(t, list_links_ok(&head));

	list_del(&items[0].node); /* first */
	list_del(&items[3].node); /* last */
	KEXPECT_EQ(t, list_digits(&head), 3);
	KEXPECT_TRUE(t, list_links_ok(&head));

	list_del(&items[2].node); /* only */
	KEXPECT_TRUE(t, list_empty(&head));
	KEXPECT_TRUE(t, list_links_ok(&head));
}

KTEST(list, deleted_node_can_be_added_again)
{
	struct item items[2];
	LIST_HEAD(head);

	items_init(items, 2);
	list_add_tail(&items[0].node, &head);
	list_add_tail(&items[1].node, &head);
	list_del(&items[0].node);
	list_add_tail(&items[0].node, &head);
	KEXPECT_EQ(t, list_digits(&head), 21);
	KEXPECT_TRUE(t, list_links_ok(&head));
}

KTEST(list, for_each_visits_every_node_once)
{
	struct item items[5];
	struct list_head *pos;
	LIST_HEAD(head);
	int i, seen = 0, sum = 0;

	items_init(items, 5);
	for (i = 0; i < 5; i++)
		list_add_tail(&items[i].node, &head);
	list_for_each (pos, &head) {
		seen++;
		sum += list_entry(pos, struct item, node)->value;
	}
	KEXPECT_EQ(t, seen, 5);
	KEXPECT_EQ(t, sum, 1 + 2 + 3 + 4 + 5);
}

KTEST(list, for_each_on_empty_list_does_nothing)
{
	struct item *it;
	LIST_HEAD(head);
	int seen = 0;

	list_for_each_entry (it, &head, node)
		seen++;
	KEXPECT_EQ(t, seen, 0);
}

KTEST(list, for_each_safe_allows_deleting_current)
{
	struct item items[6], *it, *next;
	LIST_HEAD(head);
	int i;

	items_init(items, 6);
	for (i = 0; i < 6; i++)
		list_add_tail(&items[i].node, &head);
	/* Drop the even values while walking. */
	list_for_each_entry_safe (it, next, &head, node) {
		if (it->value % 2 == 0)
			list_del(&it->node);
	}
	KEXPECT_EQ(t, list_digits(&head), 135);
	KEXPECT_EQ(t, list_count(&head), 3);
	KEXPECT_TRUE(t, list_links_ok(&head));

	list_for_each_entry_safe (it, next, &head, node)
		list_del(&it->node);
	KEXPECT_TRUE(t, list_empty(&head));
}

KTEST(list, entry_recovers_container)
{
	struct item it = { 7, { NULL, NULL } };

	KEXPECT_PTR_EQ(t, list_entry(&it.node, struct item, node), &it);
}
