/* work.c - work items and the lists they wait on (todo lists). */
#include "binderd.h"

void work_list_init(struct work_list *list)
{
	TAILQ_INIT(&list->items);
}

bool work_list_empty(const struct work_list *list)
{
	return TAILQ_EMPTY(&list->items);
}

void work_enqueue(struct work_list *list, struct work *work)
{
	work_dequeue(work);
	TAILQ_INSERT_TAIL(&list->items, work, entry);
	work->list = list;
}

void work_dequeue(struct work *work)
{
	if (!work->list)
		return;
	TAILQ_REMOVE(&work->list->items, work, entry);
	work->list = NULL;
}

struct work *work_list_pop(struct work_list *list)
{
	struct work *work = TAILQ_FIRST(&list->items);
	if (work)
		work_dequeue(work);
	return work;
}
