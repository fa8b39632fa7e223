/* kb.c - lifecycle of struct kb_procedure and its small helpers. */
#include "kb/kb.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

struct kb_procedure *kb_procedure_new(void)
{
	struct kb_procedure *p = td_calloc(1, sizeof *p);
	return p;
}

void kb_strlist_add(struct kb_strlist *l, const char *s)
{
	l->items = td_reallocarray(l->items, l->n + 1, sizeof *l->items);
	l->items[l->n++] = td_strdup(s);
}

void kb_strlist_release(struct kb_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		td_free(l->items[i]);
	td_free(l->items);
	l->items = NULL;
	l->n = 0;
}

void kb_procedure_warn(struct kb_procedure *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kb_strlist_add(&p->warnings, msg);
}

struct kb_channel *kb_procedure_add_channel(struct kb_procedure *p, enum kb_channel_kind kind)
{
	p->channels = td_reallocarray(p->channels, p->n_channels + 1, sizeof *p->channels);
	struct kb_channel *c = &p->channels[p->n_channels++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	return c;
}

struct kb_dossier_item *kb_procedure_add_dossier(struct kb_procedure *p)
{
	p->dossier = td_reallocarray(p->dossier, p->n_dossier + 1, sizeof *p->dossier);
	struct kb_dossier_item *d = &p->dossier[p->n_dossier++];
	memset(d, 0, sizeof *d);
	d->originals = -1;
	d->copies = -1;
	return d;
}

struct kb_legal *kb_procedure_add_legal(struct kb_procedure *p)
{
	p->legal = td_reallocarray(p->legal, p->n_legal + 1, sizeof *p->legal);
	struct kb_legal *l = &p->legal[p->n_legal++];
	memset(l, 0, sizeof *l);
	return l;
}

void kb_procedure_free(struct kb_procedure *p)
{
	if (!p)
		return;
	char **strs[] = {&p->code, &p->name, &p->decision, &p->kind, &p->field, &p->agency,
			 &p->competent_agency, &p->delegated_agency, &p->coordinating_agency,
			 &p->submit_place, &p->steps, &p->conditions, &p->result, &p->online_level,
			 &p->source_url, &p->as_of, &p->owner, &p->raw_channels, &p->raw_dossier,
			 &p->raw_legal, &p->raw_result, &p->updated_at, &p->updated_by};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		td_free(*strs[i]);
	struct kb_strlist *lists[] = {&p->levels, &p->subjects, &p->related, &p->aliases,
				      &p->keywords, &p->notes, &p->warnings};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		kb_strlist_release(lists[i]);
	for (size_t i = 0; i < p->n_channels; i++) {
		struct kb_channel *c = &p->channels[i];
		td_free(c->duration.text);
		td_free(c->fee.text);
		td_free(c->fee.currency);
		td_free(c->description);
	}
	td_free(p->channels);
	for (size_t i = 0; i < p->n_dossier; i++) {
		td_free(p->dossier[i].name);
		td_free(p->dossier[i].form);
		td_free(p->dossier[i].case_name);
	}
	td_free(p->dossier);
	for (size_t i = 0; i < p->n_legal; i++) {
		td_free(p->legal[i].number);
		td_free(p->legal[i].title);
		td_free(p->legal[i].date);
		td_free(p->legal[i].issuer);
	}
	td_free(p->legal);
	td_free(p);
}

static const char *channel_names[] = {"direct", "online", "post"};
static const char *unit_names[] = {NULL, "working_days", "days", "hours", "working_hours", "months"};

const char *kb_channel_name(enum kb_channel_kind k)
{
	return channel_names[k];
}

const char *kb_unit_name(enum kb_duration_unit u)
{
	return unit_names[u];
}

bool kb_channel_parse(const char *s, enum kb_channel_kind *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, channel_names[i]) == 0) {
			*out = (enum kb_channel_kind)i;
			return true;
		}
	return false;
}

bool kb_unit_parse(const char *s, enum kb_duration_unit *out)
{
	for (int i = 1; i < 6; i++)
		if (strcmp(s, unit_names[i]) == 0) {
			*out = (enum kb_duration_unit)i;
			return true;
		}
	return false;
}

bool kb_code_valid(const char *code)
{
	const char *s = code;
	if (!s || !isdigit((unsigned char)*s))
		return false;
	s++;
	if (*s++ != '.')
		return false;
	for (int i = 0; i < 6; i++, s++)
		if (!isdigit((unsigned char)*s))
			return false;
	if (*s == '\0')
		return true;
	if (*s++ != '.' || !*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) || s - code > 40)
			return false;
	return true;
}
