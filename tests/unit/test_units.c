// SPDX-License-Identifier: GPL-2.0-only
/* The key a unit is known by in the kernel's map of trusted units (userspace/kernel/units.c). */
#include <string.h>

#include "unit.h"

#include "units.h"

static void expect_key(const char *unit, const char *key)
{
	struct mg_unit_key got;
	char name[160];

	snprintf(name, sizeof(name), "%s is known as %s", unit, key);
	if (ASSERT_TRUE(mg_unit_key_of(unit, &got), name))
		ASSERT_STREQ(got.name, key, name);
}

static void expect_no_key(const char *unit, const char *why)
{
	struct mg_unit_key got;

	ASSERT_FALSE(mg_unit_key_of(unit, &got), why);
}

static void test_plain_units_are_their_own_key(void)
{
	expect_key("cron.service", "cron.service");
	expect_key("ssh.socket", "ssh.socket");
	expect_key("srv-medical\\x2drecords.mount", "srv-medical\\x2drecords.mount");
}

static void test_an_instance_is_known_by_its_template(void)
{
	expect_key("getty@tty1.service", "getty@.service");
	expect_key("backup@nightly.records.service", "backup@.service");
	expect_key("modprobe@.service", "modprobe@.service");
	expect_key("a@b@c.socket", "a@.socket");
}

static void test_names_that_cannot_be_keyed(void)
{
	char longest[MG_UNIT_NAME_LEN + 8];

	expect_no_key("", "an empty name");
	expect_no_key("odd@name", "an instance without a type");
	memset(longest, 'x', sizeof(longest));
	memcpy(longest + sizeof(longest) - 9, ".service", 9);
	expect_no_key(longest, "a name longer than the kernel keys");
}

int main(void)
{
	RUN(test_plain_units_are_their_own_key);
	RUN(test_an_instance_is_known_by_its_template);
	RUN(test_names_that_cannot_be_keyed);
	return unit_done();
}
