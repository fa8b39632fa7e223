/* nb.c - counting and fitting for the hashed multinomial naive Bayes. */
#include "text/nb.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "base/alloc.h"

void nb_begin(struct nb_model *nb, size_t nclass, size_t nbuckets)
{
	assert(nclass <= NB_CLASS_MAX && nbuckets && (nbuckets & (nbuckets - 1)) == 0);
	nb_release(nb);
	nb->nclass = nclass;
	nb->nbuckets = nbuckets;
	nb->known = td_calloc(nbuckets, 1);
	nb->logp = td_calloc(nclass * nbuckets, sizeof *nb->logp);
	nb->counts = td_calloc(nclass * nbuckets, sizeof *nb->counts);
}

void nb_row(struct nb_model *nb, size_t cls)
{
	nb->nrows[cls]++;
	nb->total_rows++;
}

void nb_fit(struct nb_model *nb, double alpha)
{
	size_t vocab = 0, nb_ = nb->nbuckets;
	for (size_t b = 0; b < nb_; b++)
		vocab += nb->known[b];
	for (size_t c = 0; c < nb->nclass; c++) {
		double total = 0;
		for (size_t b = 0; b < nb_; b++)
			total += nb->counts[c * nb_ + b];
		double denom = total + alpha * (double)(vocab ? vocab : 1);
		for (size_t b = 0; b < nb_; b++)
			nb->logp[c * nb_ + b] = (float)log((nb->counts[c * nb_ + b] + alpha) / denom);
		nb->logprior[c] = 0.5 * log((double)nb->nrows[c] + 1.0);
	}
	double z = 0;
	for (size_t c = 0; c < nb->nclass; c++)
		z += exp(nb->logprior[c]);
	for (size_t c = 0; c < nb->nclass; c++)
		nb->logprior[c] -= log(z);
	td_free(nb->counts);
	nb->counts = NULL;
}

void nb_release(struct nb_model *nb)
{
	td_free(nb->logp);
	td_free(nb->known);
	td_free(nb->counts);
	memset(nb, 0, sizeof *nb);
}
