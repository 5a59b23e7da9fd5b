/* policy.c - servicemanager's access policy: loading the INI file (inih)
 * with its per-uid limits and metrics address, and deciding whether a uid
 * may add a name. See policy.h for the format. */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the inih callback needs to report its first error. */
struct policy_parse {
	struct policy *policy;
	char *error;
	size_t error_size;
	int status;
};

static int add_rule(struct policy *policy, const char *pattern, struct policy_rule **out)
{
	if (policy->rule_count >= POLICY_MAX_RULES)
		return -E2BIG;
	struct policy_rule *rules =
	        realloc(policy->rules, (policy->rule_count + 1) * sizeof(*policy->rules));
	if (!rules)
		return -ENOMEM;
	policy->rules = rules;
	struct policy_rule *rule = &rules[policy->rule_count];
	memset(rule, 0, sizeof(*rule));
	rule->pattern = strdup(pattern);
	if (!rule->pattern)
		return -ENOMEM;
	policy->rule_count++;
	*out = rule;
	return 0;
}

/* No rules, the default quotas. */
static void policy_init_empty(struct policy *policy)
{
	memset(policy, 0, sizeof(*policy));
	policy->quota_per_uid[QUOTA_NAMES] = QUOTA_DEFAULT_NAMES_PER_UID;
	policy->quota_per_uid[QUOTA_NOTIFICATIONS] = QUOTA_DEFAULT_NOTIFICATIONS_PER_UID;
}

int policy_load_default(struct policy *policy, uid_t own_uid)
{
	struct policy_rule *rule;
	policy_init_empty(policy);
	int status = add_rule(policy, "*", &rule);
	if (status)
		return status;
	rule->uids[rule->uid_count++] = 0;
	if (own_uid != 0)
		rule->uids[rule->uid_count++] = own_uid;
	return 0;
}

/* One uid of a list: a number, a user name, or "*". */
static int parse_uid(struct policy_rule *rule, const char *word)
{
	if (strcmp(word, "*") == 0) {
		rule->any_uid = true;
		return 0;
	}
	if (rule->uid_count >= POLICY_MAX_UIDS)
		return -E2BIG;
	uid_t uid;
	if (isdigit((unsigned char)word[0])) {
		char *end;
		errno = 0;
		unsigned long value = strtoul(word, &end, 10);
		if (errno || *end || value >= (unsigned long)(uid_t)-1)
			return -EINVAL;
		uid = (uid_t)value;
	} else {
		char buffer[4096];
		struct passwd entry, *found = NULL;
		if (getpwnam_r(word, &entry, buffer, sizeof(buffer), &found) != 0 || !found)
			return -ENOENT;
		uid = found->pw_uid;
	}
	rule->uids[rule->uid_count++] = uid;
	return 0;
}

/* Splits value at commas and parses each word; an empty value is an
 * empty list, an empty word is an error. */
static int parse_uid_list(struct policy_rule *rule, const char *value, char *bad_word,
                          size_t bad_word_size)
{
	while (isspace((unsigned char)*value))
		value++;
	if (*value == '\0')
		return 0;
	char *copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	int status = 0;
	char *rest = copy;
	for (char *word = strsep(&rest, ","); word; word = strsep(&rest, ",")) {
		while (isspace((unsigned char)*word))
			word++;
		char *end = word + strlen(word);
		while (end > word && isspace((unsigned char)end[-1]))
			*--end = '\0';
		status = *word ? parse_uid(rule, word) : -EINVAL;
		if (status) {
			snprintf(bad_word, bad_word_size, "%s", word);
			break;
		}
	}
	free(copy);
	return status;
}

/* The [limits] names and the quota each sets. */
static const struct {
	const char *name;
	enum quota_kind kind;
} limit_names[] = {
        {"names_per_uid", QUOTA_NAMES},
        {"notifications_per_uid", QUOTA_NOTIFICATIONS},
};

/* One `name = value` of [limits]; returns 1 or 0 (error written). */
static int on_limit(struct policy_parse *parse, const char *name, const char *value)
{
	for (size_t i = 0; i < sizeof(limit_names) / sizeof(limit_names[0]); i++) {
		if (strcmp(name, limit_names[i].name) != 0)
			continue;
		enum quota_kind kind = limit_names[i].kind;
		if (quota_parse_limit(kind, value, &parse->policy->quota_per_uid[kind]) != 0) {
			snprintf(parse->error, parse->error_size,
			         "%s: '%s' is not a number from 0 to %zu", name, value,
			         quota_table_size(kind));
			parse->status = -EINVAL;
			return 0;
		}
		return 1;
	}
	snprintf(parse->error, parse->error_size,
	         "unknown limit '%s' (names_per_uid, notifications_per_uid)", name);
	parse->status = -EINVAL;
	return 0;
}

/* One `name = value` of [metrics]; returns 1 or 0 (error written). */
static int on_metrics(struct policy_parse *parse, const char *name, const char *value)
{
	if (strcmp(name, "listen") != 0) {
		snprintf(parse->error, parse->error_size, "unknown metrics key '%s' (listen)",
		         name);
		parse->status = -EINVAL;
		return 0;
	}
	char why[128];
	if (metrics_listen_parse(value, &parse->policy->metrics, why, sizeof(why)) != 0) {
		snprintf(parse->error, parse->error_size, "listen: '%.64s': %s", value, why);
		parse->status = -EINVAL;
		return 0;
	}
	parse->policy->has_metrics = true;
	return 1;
}

/* inih's callback for each `name = value`; returns 0 on an error, which
 * inih reports as the line number of the first one. */
static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct policy_parse *parse = user;
	if (parse->status)
		return 0;
	if (strcmp(section, "limits") == 0)
		return on_limit(parse, name, value);
	if (strcmp(section, "metrics") == 0)
		return on_metrics(parse, name, value);
	if (strcmp(section, "add") != 0) {
		snprintf(parse->error, parse->error_size,
		         "entry outside the [add], [limits] and [metrics] sections (section '%s')",
		         section);
		parse->status = -EINVAL;
		return 0;
	}
	if (name[0] == '\0') {
		snprintf(parse->error, parse->error_size, "empty name pattern");
		parse->status = -EINVAL;
		return 0;
	}
	struct policy_rule *rule;
	int status = add_rule(parse->policy, name, &rule);
	if (status) {
		snprintf(parse->error, parse->error_size, "%s",
		         status == -E2BIG ? "too many entries" : strerror(-status));
		parse->status = status;
		return 0;
	}
	char bad_word[64] = "";
	status = parse_uid_list(rule, value, bad_word, sizeof(bad_word));
	if (status) {
		const char *why = status == -ENOENT  ? "no such user"
		                  : status == -E2BIG ? "too many uids"
		                                     : "not a uid";
		if (bad_word[0] == '\0')
			snprintf(parse->error, parse->error_size, "empty uid in the list");
		else
			snprintf(parse->error, parse->error_size, "'%s': %s", bad_word, why);
		parse->status = status;
		return 0;
	}
	return 1;
}

int policy_load_file(struct policy *policy, const char *path, char *error, size_t error_size)
{
	policy_init_empty(policy);
	char message[256] = "";
	struct policy_parse parse = {
	        .policy = policy, .error = message, .error_size = sizeof(message), .status = 0};
	FILE *file = fopen(path, "re");
	if (!file) {
		int status = -errno;
		snprintf(error, error_size, "cannot open: %s", strerror(errno));
		return status;
	}
	int result = ini_parse_file(file, on_entry, &parse);
	fclose(file);
	if (result == 0)
		return 0;
	if (parse.status == 0) {
		/* A line inih could not parse (no '=', unclosed section, ...). */
		snprintf(message, sizeof(message), "not an INI entry");
		parse.status = result < 0 ? -EIO : -EINVAL;
	}
	snprintf(error, error_size, "line %d: %s", result, message);
	policy_free(policy);
	return parse.status;
}

bool policy_may_add(const struct policy *policy, const char *name, uid_t uid)
{
	for (size_t i = 0; i < policy->rule_count; i++) {
		const struct policy_rule *rule = &policy->rules[i];
		if (fnmatch(rule->pattern, name, 0) != 0)
			continue;
		if (rule->any_uid)
			return true;
		for (size_t j = 0; j < rule->uid_count; j++) {
			if (rule->uids[j] == uid)
				return true;
		}
		return false;
	}
	return false;
}

void policy_free(struct policy *policy)
{
	for (size_t i = 0; i < policy->rule_count; i++)
		free(policy->rules[i].pattern);
	free(policy->rules);
	policy->rules = NULL;
	policy->rule_count = 0;
}
