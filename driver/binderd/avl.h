/*
 * avl.h - an intrusive AVL tree (a balanced binary search tree): insert
 * and remove in O(log n), height at most 1.44 log2(n + 2). The caller
 * embeds a struct avl_node in its objects, orders them with a compare
 * function and walks the tree itself for the searches it needs (as the
 * kernel's binder_alloc walks its rbtrees): receive areas keep their free
 * blocks in one, by size, for best fit.
 *
 * Not thread-safe: binderd has a single thread.
 */
#ifndef BINDERD_AVL_H
#define BINDERD_AVL_H

#include <stddef.h>
#include <stdint.h>

struct avl_node {
	struct avl_node *left;  /* smaller */
	struct avl_node *right; /* larger */
	int height;             /* of the subtree rooted here: 1 for a leaf */
};

/* Negative, zero or positive as a orders before, like or after b. Every
 * node of a tree must compare unlike every other. */
typedef int (*avl_compare_fn)(const struct avl_node *a, const struct avl_node *b);

struct avl_tree {
	struct avl_node *root;
	avl_compare_fn compare;
	size_t count;
};

/* The object that embeds a node. */
#define avl_entry(node, type, member) ((type *)((uint8_t *)(node)-offsetof(type, member)))

void avl_init(struct avl_tree *tree, avl_compare_fn compare);
/* Adds a node that is in no tree and compares unlike every node of this one. */
void avl_insert(struct avl_tree *tree, struct avl_node *node);
/* Removes a node of this tree; its key must not have changed since it was
 * inserted. */
void avl_remove(struct avl_tree *tree, struct avl_node *node);

#endif
