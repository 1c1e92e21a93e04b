/*
 * Writes every export format for the attributes of a folder of MISP
 * event files, so that the real consumers (named-checkzone, yara, a STIX
 * schema validator, a CSV parser) can check the output.
 *
 * Usage: format_dump OUT_DIR EVENT_DIR.  Events are read in file name
 * order; each event's attributes come first, then those of its objects,
 * in file order.  Events and attributes get ids from 1 in that order.
 * One more event of hostile values (quotes, commas, line breaks,
 * semicolons, backslashes, pipes, non-ASCII text) follows the files; its
 * attributes get to_ids, the category Network activity and UUIDs
 * c0ffee00-0000-4000-8000-<attribute id>.
 * OUT_DIR gets one file per format, named after it, and the hostile
 * event as hostile-event.json.
 */
#include "core/buf.h"
#include "core/err.h"
#include "export/format.h"
#include "model/codec.h"
#include "model/misp.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAGS 64

static const char hostile_event[] =
    "{\"Event\": {\"uuid\": \"c0ffee00-0000-4000-8000-000000000001\","
    " \"info\": \"Hostile \\\"values\\\"; a,b|c\\\\d\\nline ü 😀\","
    " \"threat_level_id\": \"1\", \"date\": \"2024-01-02\","
    " \"published\": true, \"timestamp\": \"1704153600\","
    " \"Orgc\": {\"name\": \"Org \\\"X\\\"; ü\"},"
    " \"Tag\": [{\"name\": \"tlp:clear\"}, {\"name\": \"x:y=\\\"a;b|c\\\"\"}],"
    " \"Attribute\": ["
    "  {\"type\": \"domain\", \"value\": \"evil-ü.example\"},"
    "  {\"type\": \"domain\", \"value\": \"bad;name.example\"},"
    "  {\"type\": \"hostname\", \"value\": \"www.example.org\","
    "   \"comment\": \"say \\\"hi\\\", then;\\nbye\"},"
    "  {\"type\": \"url\", \"value\":"
    "   \"http://a.example/p;x?q=\\\"1\\\"|2\\\\3&r=é#f\"},"
    "  {\"type\": \"url\", \"value\": \"https://b.example:8443/x?y=1\"},"
    "  {\"type\": \"email-subject\", \"value\":"
    "   \"Re: \\\"pay\\\"; now|0x\\\\ ünï 😀\"},"
    "  {\"type\": \"email-src\", \"value\": \"a\\\"b;c@example.com\"},"
    "  {\"type\": \"user-agent\", \"value\": \"Mozilla/5.0 (\\\"x\\\"; y|z)\"},"
    "  {\"type\": \"ip-dst\", \"value\": \"2001:db8::/32\"},"
    "  {\"type\": \"ip-src|port\", \"value\": \"192.0.2.1|8080\"},"
    "  {\"type\": \"ip-dst\", \"value\": \"not an address\"},"
    "  {\"type\": \"domain|ip\", \"value\": \"c.example|203.0.113.9\"},"
    "  {\"type\": \"filename|md5\", \"value\":"
    "   \"a,b\\\"c;d.exe|d41d8cd98f00b204e9800998ecf8427e\"},"
    "  {\"type\": \"regkey|value\", \"value\": \"HKLM\\\\So'ft|da'ta\\\\\"},"
    "  {\"type\": \"text\", \"value\": \"line1\\nline2, \\\"q\\\"\"},"
    "  {\"type\": \"mutex\", \"value\": \"Global\\\\m'x\\\"\"},"
    "  {\"type\": \"hex\", \"value\": \"4d 5a ?? 00\"},"
    "  {\"type\": \"hex\", \"value\": \"4d 5a } rule\"},"
    "  {\"type\": \"AS\", \"value\": \"AS64500\"}"
    " ]}}";

struct loaded {
	json_t **events;
	size_t n;
};

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *event_of(json_t *doc)
{
	json_t *ev = json_object_get(doc, "Event");

	return ev ? ev : doc;
}

/* Loads the *.json event files of `dir` (not manifest.json) in name
 * order, then the hostile event. */
static int load_events(const char *dir, struct loaded *l)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	json_error_t jerr;

	if (!d) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 &&
		    strcmp(de->d_name, "manifest.json") != 0) {
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
	l->events = calloc(n + 1, sizeof(*l->events));
	for (size_t i = 0; i < n; i++) {
		struct buf path = BUF_INIT;

		buf_printf(&path, "%s/%s", dir, names[i]);
		l->events[l->n] = json_load_file(buf_str(&path), 0, &jerr);
		if (!l->events[l->n]) {
			fprintf(stderr, "%s: %s\n", buf_str(&path), jerr.text);
			return -1;
		}
		l->n++;
		buf_release(&path);
		free(names[i]);
	}
	free(names);
	l->events[l->n] = json_loads(hostile_event, 0, &jerr);
	if (!l->events[l->n]) {
		fprintf(stderr, "hostile event: %s\n", jerr.text);
		return -1;
	}
	l->n++;
	return 0;
}

/* Collects the names of the Tag list of `obj` into `tags` from `at`. */
static size_t add_tags(json_t *obj, const char **tags, size_t at)
{
	json_t *list = json_object_get(obj, "Tag");
	json_t *tag;
	size_t i;

	json_array_foreach(list, i, tag)
	{
		const char *name =
		    json_string_value(json_object_get(tag, "name"));

		if (name && at < MAX_TAGS) {
			tags[at++] = name;
		}
	}
	return at;
}

struct run {
	const struct export_format *f;
	void *state;
	FILE *out;
	struct buf buf;
	struct record event;
	const char *orgc;
	int64_t attribute_id;
};

/* Writes out and empties the writer's buffer. */
static void drain(struct run *run)
{
	if (run->buf.len > 0) {
		fwrite(run->buf.data, 1, run->buf.len, run->out);
	}
	buf_clear(&run->buf);
}

static int parse(struct record *r, const struct model *m, json_t *obj)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	int rc;

	record_init(r, m);
	rc = codec_parse(r, obj, true, "", &e);
	if (rc < 0) {
		fprintf(stderr, "invalid %s: %s\n", m->name,
			buf_str(&e.message));
	}
	cairn_err_release(&e);
	return rc;
}

static int write_attribute(struct run *run, json_t *event, json_t *attr,
			   const struct record *object)
{
	struct cairn_err e = CAIRN_ERR_INIT;
	const char *tags[MAX_TAGS];
	struct export_item it = {0};
	struct record a;
	size_t nown;
	int rc;

	if (parse(&a, &model_attribute, attr) < 0) {
		return -1;
	}
	record_set_int(&a, ATTR_ID, ++run->attribute_id);
	if (!a.v[ATTR_TO_IDS].set) {
		record_set_int(&a, ATTR_TO_IDS, 1);
	}
	if (!a.v[ATTR_CATEGORY].set) {
		record_set_text(&a, ATTR_CATEGORY, "Network activity");
	}
	if (!a.v[ATTR_UUID].set) {
		struct buf uuid = BUF_INIT;

		buf_printf(&uuid, "c0ffee00-0000-4000-8000-%012lld",
			   (long long)run->attribute_id);
		record_set_text(&a, ATTR_UUID, buf_str(&uuid));
		buf_release(&uuid);
	}
	record_set_int(&a, ATTR_EVENT_ID, record_int(&run->event, EVENT_ID, 0));
	nown = add_tags(attr, tags, 0);
	it.attribute = &a;
	it.event = &run->event;
	it.object = object;
	it.tags = tags;
	it.nattribute_tags = nown;
	it.ntags = add_tags(event, tags, nown);
	it.orgc_name = run->orgc;
	rc = run->f->item(run->state, &it, &run->buf, &e);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", run->f->name, buf_str(&e.message));
	}
	drain(run);
	record_release(&a);
	cairn_err_release(&e);
	return rc;
}

static int write_event(struct run *run, json_t *event, int64_t id)
{
	json_t *attr, *obj;
	size_t i, j;
	int rc = 0;

	if (parse(&run->event, &model_event, event) < 0) {
		return -1;
	}
	record_set_int(&run->event, EVENT_ID, id);
	run->orgc = json_string_value(
	    json_object_get(json_object_get(event, "Orgc"), "name"));
	json_array_foreach(json_object_get(event, "Attribute"), i, attr)
	{
		rc = rc ? rc : write_attribute(run, event, attr, NULL);
	}
	json_array_foreach(json_object_get(event, "Object"), i, obj)
	{
		struct record o;

		if (parse(&o, &model_object, obj) < 0) {
			return -1;
		}
		json_array_foreach(json_object_get(obj, "Attribute"), j, attr)
		{
			rc = rc ? rc : write_attribute(run, event, attr, &o);
		}
		record_release(&o);
	}
	record_release(&run->event);
	return rc;
}

static int write_format(const char *name, const char *out_dir,
			const struct loaded *l)
{
	struct export_options o = {0};
	struct cairn_err e = CAIRN_ERR_INIT;
	struct run run = {0};
	struct buf path = BUF_INIT;
	int rc;

	run.f = export_format_find(name);
	buf_printf(&path, "%s/%s", out_dir, name);
	run.out = fopen(buf_str(&path), "w");
	if (!run.f || !run.out) {
		fprintf(stderr, "cannot write format %s\n", name);
		return -1;
	}
	run.state = calloc(1, run.f->state_size);
	o.now = 1704153600;
	o.base_url = "https://misp.example";
	o.instance_uuid = "5e1f0000-0000-4000-8000-00000000cafe";
	rc = run.f->begin(run.state, &o, &run.buf, &e);
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		rc = write_event(&run, event_of(l->events[i]), (int64_t)i + 1);
	}
	rc = rc ? rc : run.f->end(run.state, &run.buf, &e);
	drain(&run);
	run.f->release(run.state);
	free(run.state);
	fclose(run.out);
	buf_release(&run.buf);
	buf_release(&path);
	cairn_err_release(&e);
	return rc;
}

int main(int argc, char **argv)
{
	struct loaded l = {0};
	struct buf names = BUF_INIT;
	char *list, *name, *save;
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: format_dump OUT_DIR EVENT_DIR\n");
		return 2;
	}
	if (load_events(argv[2], &l) < 0) {
		return 1;
	}
	{
		struct buf path = BUF_INIT;

		buf_printf(&path, "%s/hostile-event.json", argv[1]);
		rc = json_dump_file(l.events[l.n - 1], buf_str(&path), 0);
		buf_release(&path);
	}
	export_format_names(&names);
	list = buf_detach(&names);
	for (name = strtok_r(list, ", ", &save); name && rc == 0;
	     name = strtok_r(NULL, ", ", &save)) {
		rc = write_format(name, argv[1], &l);
	}
	free(list);
	for (size_t i = 0; i < l.n; i++) {
		json_decref(l.events[i]);
	}
	free(l.events);
	return rc == 0 ? 0 : 1;
}
