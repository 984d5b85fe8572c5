// SPDX-License-Identifier: GPL-2.0
/*
 * kbridge: personality modules, the KernelBridge kb_init_dynamic() API.
 *
 * Another module (examples/personality/) registers handlers for some
 * syscalls under a name; a session that names the personality
 * (KB_IOC_SET_PERSONALITY) has its passes of those syscalls decided by
 * the handlers instead of run by Linux (core/kbridge.h).
 *
 * A session does not hold the module: it holds a slot, the name, which
 * outlives any number of loads and unloads. The slot points to the
 * registered personality while it is loaded. kb_exit_dynamic() clears the
 * pointer and waits for the handlers that are running (SRCU: they may
 * sleep, copying to the program) and for the fast path's lookups (RCU),
 * so that the module can go away with sessions still naming it: their
 * calls fall back to Linux, and pick the handlers up again on the next
 * load.
 *
 * Locking: kb_pers_mutex serialises registration, unregistration and the
 * slot list; readers (the fast path under RCU, the ioctl path under SRCU)
 * take no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/string.h>

#include "internal.h"

/**
 * struct kb_pers - a registered personality
 * @mod:   what its module registered
 * @count: syscalls it implements
 * @by_nr: per syscall number, its handler or NULL
 */
struct kb_pers {
	struct kb_module *mod;
	u32 count;
	const struct kb_handler *by_nr[KB_NR_SYSCALLS];
};

/**
 * struct kb_pers_slot - a personality's name, as sessions hold it
 * @node:  in kb_pers_slots
 * @ref:   one per session naming it, one while it is registered
 * @pers:  the registered personality, or NULL while it is not loaded
 * @name:  NUL-terminated
 */
struct kb_pers_slot {
	struct list_head node;
	struct kref ref;
	struct kb_pers __rcu *pers;
	char name[KB_PERSONALITY_NAME_MAX + 1];
};

static DEFINE_MUTEX(kb_pers_mutex);
static LIST_HEAD(kb_pers_slots);
DEFINE_STATIC_SRCU(kb_pers_srcu);

static void kb_pers_slot_free(struct kref *ref)
{
	struct kb_pers_slot *slot = container_of(ref, struct kb_pers_slot, ref);

	lockdep_assert_held(&kb_pers_mutex);
	list_del(&slot->node);
	kfree(slot);
}

/* The slot of @name, with a new reference; created if need be. */
static struct kb_pers_slot *kb_pers_slot_get(const char *name)
{
	struct kb_pers_slot *slot;

	lockdep_assert_held(&kb_pers_mutex);
	list_for_each_entry(slot, &kb_pers_slots, node) {
		if (!strcmp(slot->name, name)) {
			kref_get(&slot->ref);
			return slot;
		}
	}
	slot = kb_fault_or(kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT));
	if (!slot)
		return NULL;
	kref_init(&slot->ref);
	strscpy(slot->name, name, sizeof(slot->name));
	list_add(&slot->node, &kb_pers_slots);
	return slot;
}

void kb_pers_slot_put(struct kb_pers_slot *slot)
{
	if (!slot)
		return;
	mutex_lock(&kb_pers_mutex);
	kref_put(&slot->ref, kb_pers_slot_free);
	mutex_unlock(&kb_pers_mutex);
}

int kb_init_dynamic(struct kb_module *mod, const struct kb_ops *ops)
{
	struct kb_pers_slot *slot;
	struct kb_pers *p;
	int ret = 0;
	u32 i;

	if (!mod || ops || mod->size < offsetofend(struct kb_module, kb) ||
	    mod->abi != KB_MODULE_ABI_VERSION || mod->kb || !mod->name ||
	    !kb_personality_name_ok(mod->name, KB_PERSONALITY_NAME_MAX + 1) ||
	    (mod->nr_handlers && !mod->handlers) ||
	    mod->nr_handlers > KB_NR_SYSCALLS)
		return -EINVAL;
	p = kvzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->mod = mod;
	for (i = 0; i < mod->nr_handlers; i++) {
		const struct kb_handler *h = &mod->handlers[i];

		if (h->nr >= KB_NR_SYSCALLS || !h->handle || h->__reserved ||
		    h->tier < KB_TIER_FULL || h->tier > KB_TIER_STUBBED ||
		    p->by_nr[h->nr]) {
			kvfree(p);
			return -EINVAL;
		}
		p->by_nr[h->nr] = h;
		p->count++;
	}

	mutex_lock(&kb_pers_mutex);
	slot = kb_pers_slot_get(mod->name);
	if (!slot) {
		ret = -ENOMEM;
	} else if (rcu_access_pointer(slot->pers)) {
		kref_put(&slot->ref, kb_pers_slot_free);
		ret = -EEXIST;
	} else {
		/* The registration's reference; handlers are visible now. */
		rcu_assign_pointer(slot->pers, p);
		mod->kb = slot;
	}
	mutex_unlock(&kb_pers_mutex);
	if (ret) {
		kvfree(p);
		return ret;
	}
	pr_info("personality %s: %u syscalls\n", mod->name, p->count);
	return 0;
}
EXPORT_SYMBOL_GPL(kb_init_dynamic);

void kb_exit_dynamic(struct kb_module *mod)
{
	struct kb_pers_slot *slot;
	struct kb_pers *p;

	if (!mod || !mod->kb)
		return;
	slot = mod->kb;
	mutex_lock(&kb_pers_mutex);
	p = rcu_dereference_protected(slot->pers,
				      lockdep_is_held(&kb_pers_mutex));
	RCU_INIT_POINTER(slot->pers, NULL);
	mutex_unlock(&kb_pers_mutex);
	/* Running handlers finish; lookups at syscall entry end. */
	synchronize_srcu(&kb_pers_srcu);
	synchronize_rcu();
	kvfree(p);
	mod->kb = NULL;
	kb_pers_slot_put(slot);
	pr_info("personality %s unregistered\n", mod->name);
}
EXPORT_SYMBOL_GPL(kb_exit_dynamic);

/*
 * Does @slot's personality implement @nr right now? For the fast path:
 * caller has preemption disabled (an RCU read-side section).
 */
bool kb_pers_implements(struct kb_pers_slot *slot, u32 nr)
{
	const struct kb_pers *p = rcu_dereference_sched(slot->pers);

	return p && p->by_nr[nr];
}

/*
 * Let the personality @s names decide @call (in process context, as the
 * program's task) if it implements call->nr: true with @d and @call's
 * args set as the handler says, false when it does not (none named, not
 * loaded, or not that syscall).
 */
bool kb_pers_decide(struct kb_session *s, struct kb_syscall *call,
		    struct kb_decision *d)
{
	struct kb_call kc = {
		.nr = call->nr,
		.ops = &kb_kernel_ops,
		.session = s->id,
	};
	const struct kb_handler *h;
	struct kb_pers_slot *slot;
	const struct kb_pers *p = NULL;
	bool ret = false;
	int action, idx, i;

	if (call->nr >= KB_NR_SYSCALLS)
		return false;
	idx = srcu_read_lock(&kb_pers_srcu);
	slot = srcu_dereference(s->pers, &kb_pers_srcu);
	if (slot)
		p = srcu_dereference(slot->pers, &kb_pers_srcu);
	h = p ? p->by_nr[call->nr] : NULL;
	if (!h)
		goto out;
	kc.priv = p->mod->priv;
	for (i = 0; i < 6; i++)
		kc.args[i] = call->args[i];
	action = h->handle(&kc);
	d->tier = h->tier;
	d->entry = 0;
	ret = true;
	switch (action) {
	case KB_ACTION_PASS:
		d->action = KB_ACTION_PASS;
		d->value = 0;
		for (i = 0; i < 6; i++)
			call->args[i] = kc.args[i];
		break;
	case KB_ACTION_STUB:
		d->action = KB_ACTION_STUB;
		/* A stub fails: anything else is the handler's bug. */
		d->value = kc.result < 0 && kc.result >= -MAX_ERRNO ?
			   -kc.result : ENOSYS;
		break;
	case KB_ACTION_FAKE:
		d->action = KB_ACTION_FAKE;
		d->value = kc.result;
		break;
	default:
		pr_warn_ratelimited("personality %s: handler of syscall %u returned %d\n",
				    p->mod->name, call->nr, action);
		d->action = KB_ACTION_STUB;
		d->value = ENOSYS;
		break;
	}
out:
	srcu_read_unlock(&kb_pers_srcu, idx);
	return ret;
}

/*
 * Make @s's passes go to the personality named @name ("" for none, which
 * need not be loaded yet); *@handlers: how many syscalls it implements
 * now. -ENOMEM when a new name's slot cannot be had.
 */
int kb_pers_session_set(struct kb_session *s, const char *name,
			u32 *handlers)
{
	struct kb_pers_slot *slot = NULL, *old;
	const struct kb_pers *p;

	mutex_lock(&kb_pers_mutex);
	if (name[0]) {
		slot = kb_pers_slot_get(name);
		if (!slot) {
			mutex_unlock(&kb_pers_mutex);
			return -ENOMEM;
		}
	}
	p = slot ? rcu_dereference_protected(slot->pers,
					     lockdep_is_held(&kb_pers_mutex)) :
		   NULL;
	*handlers = p ? p->count : 0;
	old = rcu_dereference_protected(s->pers,
					lockdep_is_held(&kb_pers_mutex));
	rcu_assign_pointer(s->pers, slot);
	mutex_unlock(&kb_pers_mutex);
	if (old) {
		/* Lookups that found the old slot are over before it can go. */
		synchronize_srcu(&kb_pers_srcu);
		synchronize_rcu();
		kb_pers_slot_put(old);
	}
	return 0;
}

/*
 * The session's file is being released: no ioctl runs on it; members'
 * lookups at syscall entry may still see the slot until a grace period.
 */
void kb_pers_session_release(struct kb_session *s)
{
	struct kb_pers_slot *slot = rcu_replace_pointer(s->pers, NULL, true);

	if (!slot)
		return;
	synchronize_rcu();
	kb_pers_slot_put(slot);
}

/*
 * The name of the personality @s names into @buf, or "". Caller holds
 * rcu_read_lock(): a replaced slot is put only after a grace period.
 */
void kb_pers_name(struct kb_session *s, char *buf, size_t len)
{
	struct kb_pers_slot *slot = rcu_dereference(s->pers);

	strscpy(buf, slot ? slot->name : "", len);
}

/* Module exit: every session and personality is gone by now. */
void kb_pers_exit(void)
{
	WARN(!list_empty(&kb_pers_slots), "personality names still held at exit\n");
}
