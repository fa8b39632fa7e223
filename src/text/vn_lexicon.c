/*
 * vn_lexicon.c - abbreviations, everyday names and chat shorthand.
 *
 * People do not ask for "Cấp giấy chứng nhận quyền sử dụng đất"; they ask
 * how to "làm sổ đỏ", "đk HKD", "xin giấy độc thân".  The lexicon maps such
 * terms to the words the procedure records use, so the search engine can add
 * them to a query.  It is data (data/text/lexicon.tsv), read at start-up.
 *
 * Every term is stored under its folded key (vn_fold, then tokens joined by
 * one space), so matching is by syllables and ignores case and diacritics:
 * "Sổ Đỏ", "so do" and "sổ đỏ" hit the same entry.  Entries live in one
 * array in file order; an open-addressing hash table (FNV-1a) indexes the
 * keys.  Matching at a token tries the longest phrase first (at most
 * VN_LEX_MAX_SYL syllables), building the candidate key in a stack buffer.
 * Nothing is written after loading, so readers need no locks.
 */
#include "text/vn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/banned.h"

#define LEX_FILE_MAX ((size_t)8 << 20)
#define LEX_ROWS_MAX 65536
#define LEX_LINE_MAX 4096
#define LEX_KEY_MAX 256 /* bytes of a folded key */

struct vn_lexicon {
	struct vn_lexicon_entry *entries;
	size_t n, cap;
	uint32_t *slots; /* entry index + 1; 0 is empty */
	size_t nslots;   /* a power of two, > 2n */
	unsigned max_syl;
};

static uint32_t hash_key(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static const struct vn_lexicon_entry *find(const struct vn_lexicon *lex, const char *key,
					   size_t n)
{
	if (!lex->nslots)
		return NULL;
	size_t mask = lex->nslots - 1;
	for (size_t i = hash_key(key, n) & mask;; i = (i + 1) & mask) {
		uint32_t slot = lex->slots[i];
		if (!slot)
			return NULL;
		const struct vn_lexicon_entry *e = &lex->entries[slot - 1];
		if (strlen(e->key) == n && memcmp(e->key, key, n) == 0)
			return e;
	}
}

static void slot_insert(struct vn_lexicon *lex, size_t k)
{
	const char *key = lex->entries[k].key;
	size_t mask = lex->nslots - 1;
	size_t i = hash_key(key, strlen(key)) & mask;
	while (lex->slots[i])
		i = (i + 1) & mask;
	lex->slots[i] = (uint32_t)(k + 1);
}

/* Count the entry just appended (lex->n) and index it, growing the table
 * to keep it at most half full. */
static void entry_commit(struct vn_lexicon *lex)
{
	lex->n++;
	size_t want = 64;
	while (want < 2 * lex->n)
		want *= 2;
	if (want > lex->nslots) {
		td_free(lex->slots);
		lex->slots = td_calloc(want, sizeof *lex->slots);
		lex->nslots = want;
		for (size_t k = 0; k < lex->n; k++)
			slot_insert(lex, k);
	} else {
		slot_insert(lex, lex->n - 1);
	}
}

/*
 * The term key of s: vn_fold, then its tokens joined by one space.  Returns
 * the number of tokens (0 if none) or -1 if the key is too long.
 */
static int make_key(struct td_buf *key, const char *s, size_t n)
{
	struct td_buf f;
	struct vn_tokenizer t;
	struct vn_token tok;
	int count = 0;

	td_buf_init(&f, VN_KEY_BOUND(LEX_LINE_MAX));
	td_buf_clear(key);
	if (vn_fold(&f, s, n, VN_LOSSY) != TD_OK) {
		count = -1;
		goto out;
	}
	vn_tokenizer_init(&t, f.data ? f.data : "", f.len);
	while (vn_tokenizer_next(&t, &tok)) {
		if (count)
			td_buf_addc(key, ' ');
		td_buf_add(key, f.data + tok.start, tok.len);
		count++;
	}
	if (td_buf_error(key) || count > VN_LEX_MAX_SYL)
		count = -1;
out:
	td_buf_release(&f);
	return count;
}

static char *norm_dup(const char *s, size_t n, td_err (*fn)(struct td_buf *, const char *,
							      size_t, unsigned))
{
	struct td_buf b;
	td_buf_init(&b, VN_KEY_BOUND(LEX_LINE_MAX));
	if (fn(&b, s, n, 0) != TD_OK) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

static void entry_release(struct vn_lexicon_entry *e)
{
	td_free((void *)e->term);
	td_free((void *)e->key);
	for (size_t i = 0; i < e->nexp; i++) {
		td_free((void *)e->exp[i]);
		td_free((void *)e->exp_folded[i]);
		td_free((void *)e->exp_accented[i]);
	}
	td_free(e->exp);
	td_free(e->exp_folded);
	td_free(e->exp_accented);
}

void vn_lexicon_free(struct vn_lexicon *lex)
{
	if (!lex)
		return;
	for (size_t i = 0; i < lex->n; i++)
		entry_release(&lex->entries[i]);
	td_free(lex->entries);
	td_free(lex->slots);
	td_free(lex);
}

size_t vn_lexicon_count(const struct vn_lexicon *lex)
{
	return lex ? lex->n : 0;
}

const struct vn_lexicon_entry *vn_lexicon_entry_at(const struct vn_lexicon *lex, size_t i)
{
	return lex && i < lex->n ? &lex->entries[i] : NULL;
}

static void fail_msg(char *err, size_t errlen, const char *name, size_t line, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));

static void fail_msg(char *err, size_t errlen, const char *name, size_t line, const char *fmt,
		     ...)
{
	if (!err || !errlen)
		return;
	int k = snprintf(err, errlen, "%s:%zu: ", name, line);
	if (k < 0 || (size_t)k >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static const char *trim(const char *s, const char *e, const char **end)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*end = e;
	return s;
}

static int parse_category(const char *s, size_t n, enum vn_lex_category *cat)
{
	static const struct {
		const char *name;
		enum vn_lex_category cat;
	} names[] = {
		{ "abbrev", VN_LEX_ABBREV },
		{ "everyday", VN_LEX_EVERYDAY },
		{ "chat", VN_LEX_CHAT },
	};
	size_t w = 0;
	while (w < n && s[w] != ' ')
		w++;
	if (w == 0) {
		*cat = VN_LEX_NONE;
		return 0;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == w && memcmp(names[i].name, s, w) == 0) {
			*cat = names[i].cat;
			return 0;
		}
	return -1;
}

/* Add one expansion to e unless its folded key is already there. */
static td_err entry_add_exp(struct vn_lexicon_entry *e, const char *s, size_t n)
{
	char *exp = norm_dup(s, n, vn_normalize);
	char *fk = norm_dup(s, n, vn_fold);
	char *ak = norm_dup(s, n, vn_fold_case);
	td_err err = TD_OK;

	if (!exp || !fk || !ak || !*fk) {
		err = TD_ERR_PARSE;
		goto fail;
	}
	for (size_t i = 0; i < e->nexp; i++)
		if (strcmp(e->exp_folded[i], fk) == 0)
			goto fail; /* a duplicate: not an error */
	if (e->nexp >= VN_LEX_MAX_EXP) {
		err = TD_ERR_TOOBIG;
		goto fail;
	}
	e->exp = td_reallocarray(e->exp, e->nexp + 1, sizeof *e->exp);
	e->exp_folded = td_reallocarray(e->exp_folded, e->nexp + 1, sizeof *e->exp_folded);
	e->exp_accented = td_reallocarray(e->exp_accented, e->nexp + 1, sizeof *e->exp_accented);
	e->exp[e->nexp] = exp;
	e->exp_folded[e->nexp] = fk;
	e->exp_accented[e->nexp] = ak;
	e->nexp++;
	return TD_OK;
fail:
	td_free(exp);
	td_free(fk);
	td_free(ak);
	return err;
}

/* Parse one non-comment line into lex; a message on error. */
static td_err parse_line(struct vn_lexicon *lex, const char *s, const char *e, char *msg,
			 size_t msglen)
{
	const char *field[4], *fend[4];
	size_t nf = 0;
	const char *p = s;
	struct td_buf key;
	td_err err = TD_ERR_PARSE;

	td_buf_init(&key, LEX_KEY_MAX);
	for (;;) {
		const char *tab = memchr(p, '\t', (size_t)(e - p));
		const char *stop = tab ? tab : e;
		if (nf == 3) {
			snprintf(msg, msglen, "too many columns (expected term, expansion, note)");
			goto out;
		}
		field[nf] = trim(p, stop, &fend[nf]);
		nf++;
		if (!tab)
			break;
		p = tab + 1;
	}
	if (nf < 2) {
		snprintf(msg, msglen, "expected 'term<TAB>expansion[<TAB>note]'");
		goto out;
	}
	size_t tlen = (size_t)(fend[0] - field[0]);
	if (!tlen) {
		snprintf(msg, msglen, "empty term");
		goto out;
	}
	if (!vn_utf8_valid(s, (size_t)(e - s))) {
		snprintf(msg, msglen, "invalid UTF-8");
		goto out;
	}
	for (const char *c = s; c < e; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t') {
			snprintf(msg, msglen, "control character 0x%02x", (unsigned)*c);
			goto out;
		}
	enum vn_lex_category cat = VN_LEX_NONE;
	if (nf == 3 && parse_category(field[2], (size_t)(fend[2] - field[2]), &cat) < 0) {
		snprintf(msg, msglen, "unknown category '%.*s' (abbrev, everyday or chat)",
			 (int)(fend[2] - field[2]), field[2]);
		goto out;
	}
	int nsyl = make_key(&key, field[0], tlen);
	if (nsyl <= 0) {
		snprintf(msg, msglen, nsyl == 0 ? "term '%.*s' has no letters or digits"
					       : "term '%.*s' is longer than %d syllables",
			 (int)tlen, field[0], VN_LEX_MAX_SYL);
		goto out;
	}

	struct vn_lexicon_entry *ent = (struct vn_lexicon_entry *)find(lex, key.data, key.len);
	bool fresh = !ent;
	if (fresh) {
		if (lex->n == lex->cap) {
			lex->cap = lex->cap ? 2 * lex->cap : 64;
			lex->entries = td_reallocarray(lex->entries, lex->cap, sizeof *lex->entries);
		}
		ent = &lex->entries[lex->n];
		memset(ent, 0, sizeof *ent);
		ent->term = norm_dup(field[0], tlen, vn_normalize);
		ent->key = td_strndup(key.data, key.len);
		ent->nsyl = (unsigned)nsyl;
		ent->category = cat;
	} else if (ent->category == VN_LEX_NONE) {
		ent->category = cat;
	}

	/* Expansions: '|'-separated, each non-empty. */
	const char *x = field[1], *xe = fend[1];
	while (x <= xe) {
		const char *bar = memchr(x, '|', (size_t)(xe - x));
		const char *stop = bar ? bar : xe, *te;
		const char *t = trim(x, stop, &te);
		if (t == te) {
			snprintf(msg, msglen, "empty expansion");
			goto fail_entry;
		}
		err = entry_add_exp(ent, t, (size_t)(te - t));
		if (err == TD_ERR_TOOBIG) {
			snprintf(msg, msglen, "more than %d expansions for '%.*s'", VN_LEX_MAX_EXP,
				 (int)tlen, field[0]);
			goto fail_entry;
		}
		if (err) {
			snprintf(msg, msglen, "expansion '%.*s' has no letters or digits",
				 (int)(te - t), t);
			goto fail_entry;
		}
		if (!bar)
			break;
		x = bar + 1;
	}
	if (fresh) {
		entry_commit(lex);
		if ((unsigned)nsyl > lex->max_syl)
			lex->max_syl = (unsigned)nsyl;
	}
	err = TD_OK;
	goto out;

fail_entry:
	err = TD_ERR_PARSE;
	if (fresh)
		entry_release(ent);
out:
	td_buf_release(&key);
	return err;
}

td_err vn_lexicon_parse(struct vn_lexicon **out, const char *text, size_t n, const char *name,
			char *err, size_t errlen)
{
	struct vn_lexicon *lex = td_calloc(1, sizeof *lex);
	char msg[512];
	size_t line = 0, rows = 0;
	const char *p = text, *end = text + n;
	td_err rc = TD_OK;

	*out = NULL;
	if (n > LEX_FILE_MAX) {
		fail_msg(err, errlen, name, 0, "file larger than %zu bytes", LEX_FILE_MAX);
		rc = TD_ERR_TOOBIG;
		goto fail;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		if ((size_t)(le - p) > LEX_LINE_MAX) {
			fail_msg(err, errlen, name, line, "line longer than %d bytes", LEX_LINE_MAX);
			rc = TD_ERR_PARSE;
			goto fail;
		}
		const char *te;
		const char *t = trim(p, le, &te);
		if (t < te && *t != '#') {
			if (++rows > LEX_ROWS_MAX) {
				fail_msg(err, errlen, name, line, "more than %d rows", LEX_ROWS_MAX);
				rc = TD_ERR_TOOBIG;
				goto fail;
			}
			msg[0] = '\0';
			const char *ce = le;
			if (ce > p && ce[-1] == '\r')
				ce--;
			rc = parse_line(lex, p, ce, msg, sizeof msg);
			if (rc) {
				fail_msg(err, errlen, name, line, "%s", msg);
				rc = TD_ERR_PARSE;
				goto fail;
			}
		}
		p = nl ? nl + 1 : end;
	}
	*out = lex;
	return TD_OK;
fail:
	vn_lexicon_free(lex);
	return rc;
}

td_err vn_lexicon_load(struct vn_lexicon **out, const char *path, char *err, size_t errlen)
{
	FILE *f;
	struct td_buf b;
	char chunk[8192];
	size_t k;
	td_err rc;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		fail_msg(err, errlen, path, 0, "%s", strerror(e));
		return e == ENOENT ? TD_ERR_NOTFOUND : TD_ERR_IO;
	}
	td_buf_init(&b, LEX_FILE_MAX);
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
		td_buf_add(&b, chunk, k);
	if (ferror(f)) {
		fail_msg(err, errlen, path, 0, "read error");
		rc = TD_ERR_IO;
		goto fail_buf;
	}
	if (td_buf_error(&b)) {
		fail_msg(err, errlen, path, 0, "file larger than %zu bytes", LEX_FILE_MAX);
		rc = TD_ERR_TOOBIG;
		goto fail_buf;
	}
	rc = vn_lexicon_parse(out, b.data ? b.data : "", b.len, path, err, errlen);
fail_buf:
	td_buf_release(&b);
	fclose(f);
	return rc;
}

const struct vn_lexicon_entry *vn_lexicon_lookup(const struct vn_lexicon *lex, const char *s,
						 size_t n)
{
	struct td_buf key;
	const struct vn_lexicon_entry *e = NULL;

	if (!lex)
		return NULL;
	td_buf_init(&key, LEX_KEY_MAX);
	if (make_key(&key, s, n) > 0)
		e = find(lex, key.data, key.len);
	td_buf_release(&key);
	return e;
}

size_t vn_lexicon_match(const struct vn_lexicon *lex, const char *text,
			const struct vn_token *toks, size_t ntoks, size_t i,
			const struct vn_lexicon_entry **entry)
{
	char key[LEX_KEY_MAX];

	*entry = NULL;
	if (!lex || i >= ntoks)
		return 0;
	size_t m = ntoks - i;
	if (m > lex->max_syl)
		m = lex->max_syl;
	for (; m > 0; m--) {
		size_t len = 0;
		bool fits = true;
		for (size_t k = 0; k < m && fits; k++) {
			const struct vn_token *t = &toks[i + k];
			if (len + t->len + 1 > sizeof key) {
				fits = false;
				break;
			}
			if (k)
				key[len++] = ' ';
			memcpy(key + len, text + t->start, t->len);
			len += t->len;
		}
		if (!fits)
			continue;
		const struct vn_lexicon_entry *e = find(lex, key, len);
		if (e) {
			*entry = e;
			return m;
		}
	}
	return 0;
}

#define EXPAND_MAX_ENTRIES 64

td_err vn_lexicon_expand(const struct vn_lexicon *lex, struct td_buf *out, const char *query,
			 size_t n, unsigned flags)
{
	struct td_buf folded;
	struct vn_token *toks = NULL;
	const struct vn_lexicon_entry *seen[EXPAND_MAX_ENTRIES];
	size_t nseen = 0, start = out->len;
	bool accented = flags & VN_EXPAND_ACCENTED;
	td_err err;

	td_buf_init(&folded, VN_KEY_BOUND(n));
	err = vn_fold(&folded, query, n, VN_LOSSY);
	if (err)
		goto fail;
	if (accented)
		err = vn_fold_case(out, query, n, VN_LOSSY);
	else
		td_buf_add(out, folded.data ? folded.data : "", folded.len);
	if (err)
		goto fail;
	const char *text = folded.data ? folded.data : "";
	size_t ntoks = vn_tokenize(text, folded.len, NULL, 0);
	toks = td_calloc(ntoks ? ntoks : 1, sizeof *toks);
	vn_tokenize(text, folded.len, toks, ntoks);
	for (size_t i = 0; i < ntoks;) {
		const struct vn_lexicon_entry *e;
		size_t m = vn_lexicon_match(lex, text, toks, ntoks, i, &e);
		if (!m) {
			i++;
			continue;
		}
		i += m;
		bool dup = false;
		for (size_t k = 0; k < nseen; k++)
			dup = dup || seen[k] == e;
		if (dup || nseen == EXPAND_MAX_ENTRIES)
			continue;
		seen[nseen++] = e;
		for (size_t x = 0; x < e->nexp; x++) {
			const char *k = accented ? e->exp_accented[x] : e->exp_folded[x];
			if (out->len > start)
				td_buf_addc(out, ' ');
			td_buf_adds(out, k);
		}
	}
	err = td_buf_error(out);
	if (err)
		goto fail;
	td_free(toks);
	td_buf_release(&folded);
	return TD_OK;
fail:
	td_free(toks);
	td_buf_release(&folded);
	td_buf_truncate(out, start);
	return err;
}
