// The plan and state text for plans of many shapes, compared byte for byte with the text users
// have been reading, so that a change to the renderer cannot drift it.
#include <string>

#include <gtest/gtest.h>

#include "engine/plan/render.h"
#include "tests/plan/varied_plan.h"

namespace cairn::plan {
namespace {

TEST(RenderGoldenTest, VariedPlan) {
  EXPECT_EQ(RenderPlan(VariedPlan(), false), R"--(Objects have changed outside of cairn:

  # local.thing.upd has changed
  ~ resource "local.thing" "upd" {
        id   = "u1"
      ~ pw   = (sensitive)
      ~ size = 1 -> 7
    }

  # local.thing.gone has been deleted
  - resource "local.thing" "gone" {
      - id   = "g1" -> null
      - list = [
          - "x",
        ] -> null
    }

cairn will perform the following actions:

  # local.thing.web will be created
  # (because deleted outside cairn)
  + resource "local.thing" "web" {
      + "empty key",
      + count         = 3
      + creds         = {
          + token = (sensitive)
          + user  = "admin"
        }
      + enabled       = true
      + id            = (known after apply)
      + keys          = [
          + "k1",
          + (sensitive),
        ]
      + labels        = {
          + app         = "web"
          + empty       = {}
          + none        = null
          + "tier.name" = "front end"
        }
      + name          = "web"
      + nested_secret = {
          + inner = (sensitive)
          + plain = "p"
        }
      + note          = <<-EOT
          no trailing newline
          second
        EOT
      + password      = (sensitive)
      + ports         = [
          + 80,
          + 443,
          + (known after apply),
        ]
      + "quote\"key"  = "escaped \"value\" \\ here"
      + ratio         = 0.25
      + rules         = [
          + {
              + from = 1
              + to   = [
                  + "a",
                  + "b",
                ]
            }
          + [
              + "x",
            ]
          + [],
        ]
      + script        = <<-EOT
          #!/bin/sh
          echo "hi"
          
            indented	Tab
        EOT
      + "with space"  = "q"
    }

  # local.thing.upd will be updated in-place
  ~ resource "local.thing" "upd" {
      + added        = "hello"
      + added_list   = [
          + true,
          + null,
        ]
      ~ flagged      = (sensitive)
      ~ float        = 1.5 -> 2.75
      ~ from_multi   = <<-EOT
        - a
        - b
        + ab
        EOT
        id           = "u1"
      ~ kind_change  = {k = "v"} -> "scalar"
      ~ later        = "known now" -> (known after apply)
      ~ later_map    = {
          ~ y = 2 -> (known after apply)
            # (1 unchanged element hidden)
        }
      ~ list         = [
            "a",
          ~ "b" -> "B",
            "c",
          + "d",
        ]
      ~ meta         = {
          ~ b = 2 -> 20
          - d = 4 -> null
          + e = 5
            # (2 unchanged elements hidden)
        }
      ~ meta1        = {
          ~ b = 2 -> 3
            # (1 unchanged element hidden)
        }
      ~ objs         = [
            {
                m = "keep"
                n = 1
            }
          ~ {
              ~ n = 2 -> 3
            }
        ]
      ~ pw           = (sensitive)
      - removed      = "bye" -> null
      - removed_map  = {
          - l = [
              - 1,
              - 2,
            ]
          - r = 1
        } -> null
      - removed_text = <<-EOT
          l1
          l2
        EOT -> null
      ~ secret_map   = (sensitive) -> "plain"
      ~ shrink       = [
            1,
          - 2 -> null,
          - 3 -> null,
        ]
      ~ size         = 1 -> 2
      ~ text         = <<-EOT
          one
        - two
        + 2
          three
          four
        + five
        EOT
      ~ to_map       = "flat" -> {k = "v"}
      ~ to_multi     = <<-EOT
        - single
        + now
        + multi
        EOT
        # (2 unchanged attributes hidden)
    }

  # local.thing.rep must be replaced
-/+ resource "local.thing" "rep" {
      ~ id   = "r1" -> (known after apply)
      ~ path = "/a" -> "/b" # forces replacement
      ~ spec = { # forces replacement
          ~ zone = "a" -> "b"
        }
        # (1 unchanged attribute hidden)
    }

  # local.cert.web must be replaced (create before destroy)
+/- resource "local.cert" "web" {
      ~ domain = "a.test" -> "b.test" # forces replacement
      ~ id     = "c1" -> (known after apply)
      ~ pem    = "-----BEGIN\nX\n" -> (known after apply)
    }

  # local.thing.old will be destroyed
  # (because not in the blueprint)
  - resource "local.thing" "old" {
      - body   = <<-EOT
          x
          y
        EOT -> null
      - empty  = [] -> null
      - id     = "o1" -> null
      - secret = (sensitive) -> null
      - tags   = {
          - a = "1"
          - b = [
              - 1,
              - {
                  - z = null
                }
            ]
        } -> null
    }

  # other.addr will be updated in-place
  ~ resource "local.kind" "other.addr" {
      ~ id = "1" -> "2"
    }

Plan: 3 to add, 2 to change, 3 to destroy.
)--");
}

TEST(RenderGoldenTest, DriftWithoutChanges) {
  EXPECT_EQ(RenderPlan(DriftOnlyPlan(), false), R"--(Objects have changed outside of cairn:

  # local.thing.x has changed
  ~ resource "local.thing" "x" {
        id = "x"
      ~ v  = 1 -> 2
        # (2 unchanged attributes hidden)
    }

No changes. Your infrastructure matches the blueprint.
)--");
}

TEST(RenderGoldenTest, State) {
  EXPECT_EQ(RenderState(VariedState(), false), R"--(# local.other.b:
resource "local.other" "b" {
    "a b" = 2.5
    id    = "b1"
}

# local.thing.a:
resource "local.thing" "a" {
    body   = <<-EOT
      line 1
      line 2
    EOT
    flag   = (sensitive)
    id     = "a1"
    list   = [
        1,
        {
            x = {}
        }
    ]
    meta   = {
        deep = {
            token = (sensitive)
        }
        k    = "v"
    }
    secret = (sensitive)
}
)--");
}

// Values are shown as Value::ToString shows them, whatever bytes a string holds.
TEST(RenderGoldenTest, StringsReadAsValuesShowThem) {
  for (int c = 0; c < 256; ++c) {
    if (c == '\n') continue;  // a heredoc, shown in the golden plans
    const std::string text = std::string("a") + static_cast<char>(c) + "b";
    ResourceChange change;
    change.address = "local.thing.s";
    change.type = "local.thing";
    change.action = Action::kUpdate;
    change.before = Value::EmptyMap();
    change.before["v"] = Value("old");
    change.after = Value::EmptyMap();
    change.after["v"] = Value(text);
    Plan p;
    p.changes.push_back(change);
    const std::string want = "~ v = \"old\" -> " + Value(text).ToString() + "\n";
    EXPECT_NE(RenderPlan(p, false).find(want), std::string::npos) << "byte " << c;
  }
}

}  // namespace
}  // namespace cairn::plan
