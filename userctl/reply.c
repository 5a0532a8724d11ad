// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of tcptune replies and event notifications, see reply.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "tcptune.h"
#include "reply.h"

static int attr_str(const struct nlattr *attr, const char **s)
{
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return -EPROTO;
	*s = mnl_attr_get_str(attr);
	return 0;
}

static int attr_u32(const struct nlattr *attr, uint32_t *v)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return -EPROTO;
	*v = mnl_attr_get_u32(attr);
	return 0;
}

static int attr_u64(const struct nlattr *attr, uint64_t *v)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return -EPROTO;
	*v = mnl_attr_get_u64(attr);
	return 0;
}

/* Replace *@dst by a copy of @src. */
static int set_str(char **dst, const char *src)
{
	char *s = strdup(src);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/*
 * Make room in @v, which holds @n elements of @size bytes out of *@cap, for
 * one more. Returns the array, possibly moved, or NULL when out of memory.
 */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / size)
		return NULL;
	v = realloc(v, ncap * size);
	if (v)
		*cap = ncap;
	return v;
}

static bool genl_ok(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload_len(nlh) >= GENL_HDRLEN;
}

int tt_parse_version(const struct nlmsghdr *nlh, struct tt_version *out)
{
	const struct nlattr *attr;
	const char *s;
	int err;

	if (!genl_ok(nlh))
		return -EPROTO;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(attr)) {
		case TCPTUNE_A_VERSION:
			err = attr_str(attr, &s);
			if (!err)
				err = set_str(&out->version, s);
			break;
		case TCPTUNE_A_KERNEL_RELEASE:
			err = attr_str(attr, &s);
			if (!err)
				err = set_str(&out->kernel_release, s);
			break;
		default:
			err = 0;
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

/* One TCPTUNE_A_STAT nest: both members are required. */
static int parse_stat(const struct nlattr *nest, const char **name,
		      uint64_t *value)
{
	const struct nlattr *attr;
	bool has_value = false;
	int err = 0;

	*name = NULL;
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EPROTO;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case TCPTUNE_A_STAT_NAME:
			err = attr_str(attr, name);
			break;
		case TCPTUNE_A_STAT_VALUE:
			err = attr_u64(attr, value);
			has_value = true;
			break;
		default:
			break;
		}
		if (err)
			return err;
	}
	return *name && has_value ? 0 : -EPROTO;
}

int tt_parse_stats(const struct nlmsghdr *nlh, struct tt_stats *out)
{
	const struct nlattr *attr;
	struct tt_stat *v;
	const char *name;
	uint64_t value = 0;
	int err;

	if (!genl_ok(nlh))
		return -EPROTO;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != TCPTUNE_A_STAT)
			continue;
		err = parse_stat(attr, &name, &value);
		if (err)
			return err;
		v = grow(out->v, &out->cap, out->n, sizeof(*out->v));
		if (!v)
			return -ENOMEM;
		out->v = v;
		out->v[out->n].name = strdup(name);
		if (!out->v[out->n].name)
			return -ENOMEM;
		out->v[out->n].value = value;
		out->n++;
	}
	return 0;
}

/* One TCPTUNE_A_PARAM nest; the caller checks what must be present. */
static int parse_param(const struct nlattr *nest, struct tt_param *p)
{
	const struct nlattr *attr;
	int err = 0;

	memset(p, 0, sizeof(*p));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EPROTO;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case TCPTUNE_A_PARAM_NAME:
			err = attr_str(attr, &p->name);
			p->present |= TT_PARAM_NAME;
			break;
		case TCPTUNE_A_PARAM_VALUE:
			err = attr_u32(attr, &p->value);
			p->present |= TT_PARAM_VALUE;
			break;
		case TCPTUNE_A_PARAM_MIN_VALUE:
			err = attr_u32(attr, &p->min);
			p->present |= TT_PARAM_MIN;
			break;
		case TCPTUNE_A_PARAM_MAX_VALUE:
			err = attr_u32(attr, &p->max);
			p->present |= TT_PARAM_MAX;
			break;
		case TCPTUNE_A_PARAM_SCOPE:
			err = attr_u32(attr, &p->scope);
			p->present |= TT_PARAM_SCOPE;
			break;
		case TCPTUNE_A_PARAM_UNIT:
			err = attr_str(attr, &p->unit);
			p->present |= TT_PARAM_UNIT;
			break;
		default:
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

int tt_parse_params(const struct nlmsghdr *nlh, struct tt_params *out)
{
	const struct nlattr *attr;
	struct tt_param p, *q, *v;
	int err;

	if (!genl_ok(nlh))
		return -EPROTO;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != TCPTUNE_A_PARAM)
			continue;
		err = parse_param(attr, &p);
		if (err)
			return err;
		if ((p.present & TT_PARAM_REQ_SHOW) != TT_PARAM_REQ_SHOW)
			return -EPROTO;

		v = grow(out->v, &out->cap, out->n, sizeof(*out->v));
		if (!v)
			return -ENOMEM;
		out->v = v;
		q = &out->v[out->n];
		*q = p;
		q->name = strdup(p.name);
		q->unit = p.unit ? strdup(p.unit) : NULL;
		if (!q->name || (p.unit && !q->unit)) {
			free((char *)q->name);
			free((char *)q->unit);
			return -ENOMEM;
		}
		out->n++;
	}
	return 0;
}

int tt_parse_event(const struct nlmsghdr *nlh, struct tt_event *out)
{
	const struct genlmsghdr *genl;
	const struct nlattr *attr;
	bool has_kind = false;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!genl_ok(nlh))
		return -EPROTO;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != TCPTUNE_CMD_EVENT)
		return -ENOMSG;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(attr)) {
		case TCPTUNE_A_EVENT_KIND:
			err = attr_u32(attr, &out->kind);
			has_kind = true;
			break;
		case TCPTUNE_A_NETNS_COOKIE:
			err = attr_u64(attr, &out->netns_cookie);
			out->has_netns_cookie = true;
			break;
		case TCPTUNE_A_PARAM:
			err = parse_param(attr, &out->param);
			out->has_param = true;
			break;
		default:
			break;
		}
		if (err)
			return err;
	}

	if (!has_kind)
		return -EPROTO;
	if (out->kind == TCPTUNE_EVENT_KIND_PARAM_CHANGED &&
	    (!out->has_param ||
	     (out->param.present & TT_PARAM_REQ_EVENT) != TT_PARAM_REQ_EVENT))
		return -EPROTO;
	return 0;
}

void tt_version_free(struct tt_version *v)
{
	free(v->version);
	free(v->kernel_release);
	memset(v, 0, sizeof(*v));
}

void tt_stats_free(struct tt_stats *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void tt_params_free(struct tt_params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free((char *)p->v[i].name);
		free((char *)p->v[i].unit);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

const struct tt_param *tt_params_find(const struct tt_params *p,
				      const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return &p->v[i];
	return NULL;
}
