/* error.c - names and messages for td_err. */
#include "base/error.h"

static const struct {
	td_err code;
	const char *name;
	const char *msg;
} errtab[] = {
	{TD_OK, "ok", "success"},
	{TD_ERR_NOMEM, "no_memory", "out of memory"},
	{TD_ERR_INVAL, "invalid", "invalid argument or input"},
	{TD_ERR_IO, "io", "input/output error"},
	{TD_ERR_PARSE, "parse", "input could not be parsed"},
	{TD_ERR_NOTFOUND, "not_found", "not found"},
	{TD_ERR_TOOBIG, "too_big", "input exceeds its size limit"},
	{TD_ERR_DB, "database", "database error"},
	{TD_ERR_EXISTS, "exists", "already exists"},
	{TD_ERR_UTF8, "bad_utf8", "invalid UTF-8"},
	{TD_ERR_CONFIG, "config", "bad configuration"},
	{TD_ERR_INTERNAL, "internal", "internal error"},
	{TD_ERR_BUSY, "busy", "resource busy"},
	{TD_ERR_UNSUPPORTED, "unsupported", "not supported"},
};

const char *td_strerror(td_err err)
{
	for (unsigned i = 0; i < sizeof errtab / sizeof errtab[0]; i++)
		if (errtab[i].code == err)
			return errtab[i].msg;
	return "unknown error";
}

const char *td_errname(td_err err)
{
	for (unsigned i = 0; i < sizeof errtab / sizeof errtab[0]; i++)
		if (errtab[i].code == err)
			return errtab[i].name;
	return "unknown";
}
