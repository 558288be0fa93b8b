// SPDX-License-Identifier: GPL-2.0
/*
 * Augmented red-black interval tree (see include/linux/interval_tree.h).
 *
 * A textbook red-black tree with parent pointers and NULL leaves, plus one
 * augmented value per node, ->subtree_last, kept exact through every
 * structural change:
 *
 *   - insert raises ->subtree_last on the way down, so the path to the new
 *     leaf is already right before rebalancing;
 *   - remove recomputes the path from the lowest node whose subtree lost a
 *     node up to the root, before rebalancing;
 *   - a rotation keeps the set of nodes below the rotated position, so only
 *     the two rotated nodes need recomputing, bottom one first.
 *
 * libbsd's <sys/tree.h> calls its RB_AUGMENT hook on rotations only, which
 * leaves removal's upward path stale; hence this file.
 */
#include <linux/interval_tree.h>

typedef struct interval_tree_node node_t;

static unsigned long compute_subtree_last(const node_t *n)
{
	unsigned long max = n->last;

	if (n->left && n->left->subtree_last > max)
		max = n->left->subtree_last;
	if (n->right && n->right->subtree_last > max)
		max = n->right->subtree_last;
	return max;
}

/* Make @new take @old's place under @parent (or at the root). */
static void change_child(node_t *old, node_t *new, node_t *parent,
			 struct interval_tree_root *root)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 *     x              y
 *    / \            / \
 *   a   y    =>    x   c
 *      / \        / \
 *     b   c      a   b
 */
static void rotate_left(node_t *x, struct interval_tree_root *root)
{
	node_t *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	change_child(x, y, x->parent, root);
	y->left = x;
	x->parent = y;
	y->subtree_last = x->subtree_last;
	x->subtree_last = compute_subtree_last(x);
}

/* The mirror image of rotate_left(). */
static void rotate_right(node_t *x, struct interval_tree_root *root)
{
	node_t *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	change_child(x, y, x->parent, root);
	y->right = x;
	x->parent = y;
	y->subtree_last = x->subtree_last;
	x->subtree_last = compute_subtree_last(x);
}

static bool is_red(const node_t *n)
{
	return n && n->red;
}

static void insert_fixup(node_t *z, struct interval_tree_root *root)
{
	while (is_red(z->parent)) {
		node_t *p = z->parent;
		node_t *g = p->parent;	/* exists: a red node is not the root */
		node_t *uncle = p == g->left ? g->right : g->left;

		if (is_red(uncle)) {
			p->red = false;
			uncle->red = false;
			g->red = true;
			z = g;
			continue;
		}
		if (p == g->left) {
			if (z == p->right) {
				rotate_left(p, root);
				p = z;
			}
			rotate_right(g, root);
		} else {
			if (z == p->left) {
				rotate_right(p, root);
				p = z;
			}
			rotate_left(g, root);
		}
		p->red = false;
		g->red = true;
		break;
	}
	root->node->red = false;
}

void interval_tree_insert(node_t *node, struct interval_tree_root *root)
{
	node_t **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (parent->subtree_last < node->last)
			parent->subtree_last = node->last;
		link = node->start < parent->start ? &parent->left :
						     &parent->right;
	}
	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->subtree_last = node->last;
	node->red = true;
	*link = node;
	root->nr_nodes++;
	insert_fixup(node, root);
}

/*
 * Restore the black height after a black node was removed from above @x
 * (possibly NULL) whose parent is @parent.
 */
static void remove_fixup(node_t *x, node_t *parent,
			 struct interval_tree_root *root)
{
	while (x != root->node && !is_red(x)) {
		node_t *w;

		if (x == parent->left) {
			w = parent->right;
			if (w->red) {
				w->red = false;
				parent->red = true;
				rotate_left(parent, root);
				w = parent->right;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				rotate_right(w, root);
				w = parent->right;
			}
			w->red = parent->red;
			parent->red = false;
			w->right->red = false;
			rotate_left(parent, root);
		} else {
			w = parent->left;
			if (w->red) {
				w->red = false;
				parent->red = true;
				rotate_right(parent, root);
				w = parent->left;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				rotate_left(w, root);
				w = parent->left;
			}
			w->red = parent->red;
			parent->red = false;
			w->left->red = false;
			rotate_right(parent, root);
		}
		x = root->node;
	}
	if (x)
		x->red = false;
}

void interval_tree_remove(node_t *z, struct interval_tree_root *root)
{
	node_t *child, *parent, *n;
	bool removed_black;

	if (z->left && z->right) {
		/* Put z's in-order successor y (no left child) in its place. */
		node_t *y = z->right;

		while (y->left)
			y = y->left;
		child = y->right;
		removed_black = !y->red;
		if (y->parent == z) {
			parent = y;
		} else {
			parent = y->parent;
			parent->left = child;
			if (child)
				child->parent = parent;
			y->right = z->right;
			z->right->parent = y;
		}
		y->parent = z->parent;
		change_child(z, y, z->parent, root);
		y->left = z->left;
		z->left->parent = y;
		y->red = z->red;
	} else {
		child = z->left ? z->left : z->right;
		parent = z->parent;
		removed_black = !z->red;
		if (child)
			child->parent = parent;
		change_child(z, child, parent, root);
	}
	root->nr_nodes--;
	z->parent = z->left = z->right = NULL;

	/* Every subtree that lost a node is on the path from @parent up. */
	for (n = parent; n; n = n->parent)
		n->subtree_last = compute_subtree_last(n);
	if (removed_black)
		remove_fixup(child, parent, root);
}

/*
 * The leftmost node of the subtree at @n overlapping [start, last], given
 * start <= n->subtree_last.  Descend left while the left subtree reaches
 * @start: its leftmost such node is the only candidate, since every node
 * after it in order starts later.
 */
static node_t *subtree_search(node_t *n, unsigned long start,
			      unsigned long last)
{
	for (;;) {
		if (n->left && start <= n->left->subtree_last) {
			n = n->left;
			continue;
		}
		if (n->start > last)
			return NULL;
		if (start <= n->last)
			return n;
		n = n->right;
		if (!n || start > n->subtree_last)
			return NULL;
	}
}

node_t *interval_tree_iter_first(const struct interval_tree_root *root,
				 unsigned long start, unsigned long last)
{
	if (!root->node || start > root->node->subtree_last)
		return NULL;
	return subtree_search(root->node, start, last);
}

node_t *interval_tree_iter_next(const node_t *node, unsigned long start,
				unsigned long last)
{
	node_t *n = (node_t *)node, *prev;

	for (;;) {
		/* Anything after @n in its right subtree? */
		if (n->right && start <= n->right->subtree_last)
			return subtree_search(n->right, start, last);
		/* Climb to the first ancestor we reach from its left side. */
		do {
			prev = n;
			n = n->parent;
			if (!n)
				return NULL;
		} while (n->right == prev);
		if (n->start > last)
			return NULL;
		if (start <= n->last)
			return n;
	}
}

/* Recursive check of the subtree at @n; returns its black height or -1. */
static int validate_subtree(const node_t *n, const node_t *parent,
			    unsigned long *nr, const node_t **prev)
{
	int lh, rh;

	if (!n)
		return 1;
	if (n->parent != parent)
		return -1;
	if (n->red && is_red(parent))
		return -1;
	lh = validate_subtree(n->left, n, nr, prev);
	if (lh < 0)
		return -1;
	/* In-order: non-decreasing starts. */
	if (*prev && (*prev)->start > n->start)
		return -1;
	*prev = n;
	(*nr)++;
	if (n->start > n->last)
		return -1;
	rh = validate_subtree(n->right, n, nr, prev);
	if (rh < 0 || lh != rh)
		return -1;
	if (n->subtree_last != compute_subtree_last(n))
		return -1;
	return lh + !n->red;
}

int interval_tree_validate(const struct interval_tree_root *root)
{
	const node_t *prev = NULL;
	unsigned long nr = 0;

	if (is_red(root->node))
		return -EINVAL;
	if (validate_subtree(root->node, NULL, &nr, &prev) < 0)
		return -EINVAL;
	if (nr != root->nr_nodes)
		return -EINVAL;
	return 0;
}
