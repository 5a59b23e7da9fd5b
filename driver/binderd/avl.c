/*
 * avl.c - the intrusive AVL tree of avl.h. Insert and remove go down
 * recursively (the depth is at most about 1.44 log2 n, under 30 for the
 * largest receive area) and rebalance every subtree on the way back up.
 */
#include "avl.h"

/* A subtree is rebalanced when one side is taller than the other by more
 * than this. */
#define AVL_MAX_IMBALANCE 1

static int height(const struct avl_node *node)
{
	return node ? node->height : 0;
}

static void update_height(struct avl_node *node)
{
	int left = height(node->left);
	int right = height(node->right);
	node->height = 1 + (left > right ? left : right);
}

static struct avl_node *rotate_right(struct avl_node *node)
{
	struct avl_node *pivot = node->left;
	node->left = pivot->right;
	pivot->right = node;
	update_height(node);
	update_height(pivot);
	return pivot;
}

static struct avl_node *rotate_left(struct avl_node *node)
{
	struct avl_node *pivot = node->right;
	node->right = pivot->left;
	pivot->left = node;
	update_height(node);
	update_height(pivot);
	return pivot;
}

/* Restores the AVL property of a subtree whose children are AVL trees
 * differing in height by two at most; returns its new root. */
static struct avl_node *rebalance(struct avl_node *node)
{
	update_height(node);
	int balance = height(node->left) - height(node->right);
	if (balance > AVL_MAX_IMBALANCE) {
		if (height(node->left->left) < height(node->left->right))
			node->left = rotate_left(node->left);
		return rotate_right(node);
	}
	if (balance < -AVL_MAX_IMBALANCE) {
		if (height(node->right->right) < height(node->right->left))
			node->right = rotate_right(node->right);
		return rotate_left(node);
	}
	return node;
}

static struct avl_node *insert_into(struct avl_node *root, struct avl_node *node,
                                    avl_compare_fn compare)
{
	if (!root)
		return node;
	if (compare(node, root) < 0)
		root->left = insert_into(root->left, node, compare);
	else
		root->right = insert_into(root->right, node, compare);
	return rebalance(root);
}

/* Detaches the smallest node of a subtree into *smallest; returns the
 * subtree's new root. */
static struct avl_node *remove_smallest(struct avl_node *root, struct avl_node **smallest)
{
	if (!root->left) {
		*smallest = root;
		return root->right;
	}
	root->left = remove_smallest(root->left, smallest);
	return rebalance(root);
}

static struct avl_node *remove_from(struct avl_node *root, struct avl_node *node,
                                    avl_compare_fn compare)
{
	if (!root)
		return NULL; /* not in the tree: nothing to do */
	if (root == node) {
		if (!node->right)
			return node->left;
		struct avl_node *successor;
		struct avl_node *right = remove_smallest(node->right, &successor);
		successor->left = node->left;
		successor->right = right;
		return rebalance(successor);
	}
	if (compare(node, root) < 0)
		root->left = remove_from(root->left, node, compare);
	else
		root->right = remove_from(root->right, node, compare);
	return rebalance(root);
}

void avl_init(struct avl_tree *tree, avl_compare_fn compare)
{
	tree->root = NULL;
	tree->compare = compare;
	tree->count = 0;
}

void avl_insert(struct avl_tree *tree, struct avl_node *node)
{
	node->left = NULL;
	node->right = NULL;
	node->height = 1;
	tree->root = insert_into(tree->root, node, tree->compare);
	tree->count++;
}

void avl_remove(struct avl_tree *tree, struct avl_node *node)
{
	tree->root = remove_from(tree->root, node, tree->compare);
	tree->count--;
	node->left = NULL;
	node->right = NULL;
	node->height = 0;
}
