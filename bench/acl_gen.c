/*
 * Generator for the ACL benchmark: fills a data directory with ten
 * organisations, a dozen sharing groups and ATTRIBUTES attributes spread
 * over events of every distribution level, so that the visibility
 * conditions have real work to do.  The draws come from a fixed seed, so
 * every run builds the same instance.
 *
 * usage: acl_gen DATA_DIR [ATTRIBUTES]   (default 1,000,000)
 */
#include "model/misp.h"
#include "model/sharing.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORGS 10
#define GROUPS 12
#define PER_EVENT 500

static const char *const types[] = {
	"ip-dst", "ip-src", "domain", "hostname", "url",
	"md5",    "sha1",   "sha256", "email-src", "filename",
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

/* A small linear congruential generator, so that runs are repeatable. */
static unsigned long long seed = 20261204;

static unsigned draw(unsigned n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((seed >> 33) % n);
}

static int insert(struct store *s, struct record *r, int64_t *id)
{
	int rc = store_insert(s, r, id);

	record_release(r);
	if (rc < 0) {
		struct cairn_err e = CAIRN_ERR_INIT;

		store_error(s, &e);
		fprintf(stderr, "insert failed: %s\n", buf_str(&e.message));
		cairn_err_release(&e);
	}
	return rc;
}

static int add_orgs(struct store *s, int64_t org[ORGS])
{
	org[0] = 1; /* the host organisation of cairn init */
	for (int i = 1; i < ORGS; i++) {
		struct record r;
		char name[32];

		snprintf(name, sizeof(name), "bench org %d", i + 1);
		record_init(&r, &model_org);
		record_set_text(&r, ORG_NAME, name);
		record_set_int(&r, ORG_LOCAL, 1);
		if (insert(s, &r, &org[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Each group has an owner and two or three other members. */
static int add_groups(struct store *s, const int64_t org[ORGS],
		      int64_t sg[GROUPS])
{
	for (int i = 0; i < GROUPS; i++) {
		struct record r;
		char name[32];
		int64_t id;
		int members = 2 + (int)draw(2);

		snprintf(name, sizeof(name), "bench group %d", i + 1);
		record_init(&r, &model_sharing_group);
		record_set_text(&r, SG_NAME, name);
		record_set_int(&r, SG_ORG_ID, org[draw(ORGS)]);
		if (insert(s, &r, &sg[i]) < 0) {
			return -1;
		}
		for (int m = 0; m < members; m++) {
			record_init(&r, &model_sharing_group_org);
			record_set_int(&r, SGO_SHARING_GROUP_ID, sg[i]);
			record_set_int(&r, SGO_ORG_ID, org[(i + m) % ORGS]);
			if (insert(s, &r, &id) < 0) {
				return -1;
			}
		}
	}
	return 0;
}

/* Draws a distribution: mostly 5 (inherit) for attributes, an even
 * spread over 0 to 4 for events. */
static int draw_level(bool attribute)
{
	if (attribute && draw(10) < 6) {
		return 5;
	}
	return (int)draw(5);
}

static int add_event(struct store *s, int n, const int64_t org[ORGS],
		     const int64_t sg[GROUPS], int64_t *next_value)
{
	struct record r;
	int64_t ev, id;
	int level = draw_level(false);

	record_init(&r, &model_event);
	record_set_int(&r, EVENT_ORG_ID, org[n % ORGS]);
	record_set_int(&r, EVENT_ORGC_ID, org[n % ORGS]);
	record_set_int(&r, EVENT_DISTRIBUTION, level);
	record_set_int(&r, EVENT_SHARING_GROUP_ID,
		       level == 4 ? sg[draw(GROUPS)] : 0);
	record_set_int(&r, EVENT_PUBLISHED, draw(4) != 0);
	record_set_text(&r, EVENT_INFO, "acl benchmark event");
	if (insert(s, &r, &ev) < 0) {
		return -1;
	}
	for (int i = 0; i < PER_EVENT; i++) {
		char value[48];
		int alevel = draw_level(true);

		snprintf(value, sizeof(value), "v%09lld.example",
			 (long long)(*next_value)++);
		record_init(&r, &model_attribute);
		record_set_int(&r, ATTR_EVENT_ID, ev);
		record_set_text(&r, ATTR_TYPE, types[i % NTYPES]);
		record_set_text(&r, ATTR_CATEGORY, "Network activity");
		record_set_text(&r, ATTR_VALUE, value);
		record_set_int(&r, ATTR_DISTRIBUTION, alevel);
		record_set_int(&r, ATTR_SHARING_GROUP_ID,
			       alevel == 4 ? sg[draw(GROUPS)] : 0);
		if (insert(s, &r, &id) < 0) {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int64_t org[ORGS], sg[GROUPS], next_value = 0;
	long attributes = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;
	struct buf path = BUF_INIT;
	struct store *s;
	int rc;

	if (argc < 2 || attributes < PER_EVENT) {
		fprintf(stderr, "usage: acl_gen DATA_DIR [ATTRIBUTES]\n");
		return 2;
	}
	buf_printf(&path, "%s/cairn.db", argv[1]);
	if (store_open(&s, buf_str(&path), &e) < 0) {
		fprintf(stderr, "cannot open %s: %s\n", buf_str(&path),
			buf_str(&e.message));
		return 1;
	}
	rc = store_begin(s);
	if (rc == 0) {
		rc = add_orgs(s, org);
	}
	if (rc == 0) {
		rc = add_groups(s, org, sg);
	}
	for (long n = 0; rc == 0 && n < attributes / PER_EVENT; n++) {
		rc = add_event(s, (int)n, org, sg, &next_value);
	}
	if (rc == 0) {
		rc = store_commit(s);
	}
	printf("generated %lld attributes in %ld events, %d organisations, "
	       "%d sharing groups\n",
	       (long long)next_value, attributes / PER_EVENT, ORGS, GROUPS);
	store_close(s);
	buf_release(&path);
	cairn_err_release(&e);
	return rc < 0 ? 1 : 0;
}
