// The coloured plan and state text for plans of many shapes, compared byte for byte (escapes
// shown as "\e") with the text users have been reading.
#include <gtest/gtest.h>

#include "engine/plan/render.h"
#include "tests/plan/varied_plan.h"

namespace cairn::plan {
namespace {

TEST(RenderGoldenColourTest, VariedPlan) {
  EXPECT_EQ(Visible(RenderPlan(VariedPlan(), true)),
            R"--(\e[1mObjects have changed outside of cairn:\e[0m

  \e[1m# local.thing.upd\e[0m has changed
  \e[33m~\e[0m resource "local.thing" "upd" {
        id   = "u1"
      \e[33m~\e[0m pw   = (sensitive)
      \e[33m~\e[0m size = 1 -> 7
    }

  \e[1m# local.thing.gone\e[0m has been deleted
  \e[31m-\e[0m resource "local.thing" "gone" {
      \e[31m-\e[0m id   = "g1" -> null
      \e[31m-\e[0m list = [
          \e[31m-\e[0m "x",
        ] -> null
    }

\e[1mcairn will perform the following actions:\e[0m

  \e[1m# local.thing.web\e[0m will be created
  # (because deleted outside cairn)
  \e[32m+\e[0m resource "local.thing" "web" {
      \e[32m+\e[0m "empty key",
      \e[32m+\e[0m count         = 3
      \e[32m+\e[0m creds         = {
          \e[32m+\e[0m token = (sensitive)
          \e[32m+\e[0m user  = "admin"
        }
      \e[32m+\e[0m enabled       = true
      \e[32m+\e[0m id            = (known after apply)
      \e[32m+\e[0m keys          = [
          \e[32m+\e[0m "k1",
          \e[32m+\e[0m (sensitive),
        ]
      \e[32m+\e[0m labels        = {
          \e[32m+\e[0m app         = "web"
          \e[32m+\e[0m empty       = {}
          \e[32m+\e[0m none        = null
          \e[32m+\e[0m "tier.name" = "front end"
        }
      \e[32m+\e[0m name          = "web"
      \e[32m+\e[0m nested_secret = {
          \e[32m+\e[0m inner = (sensitive)
          \e[32m+\e[0m plain = "p"
        }
      \e[32m+\e[0m note          = <<-EOT
          no trailing newline
          second
        EOT
      \e[32m+\e[0m password      = (sensitive)
      \e[32m+\e[0m ports         = [
          \e[32m+\e[0m 80,
          \e[32m+\e[0m 443,
          \e[32m+\e[0m (known after apply),
        ]
      \e[32m+\e[0m "quote\"key"  = "escaped \"value\" \\ here"
      \e[32m+\e[0m ratio         = 0.25
      \e[32m+\e[0m rules         = [
          \e[32m+\e[0m {
              \e[32m+\e[0m from = 1
              \e[32m+\e[0m to   = [
                  \e[32m+\e[0m "a",
                  \e[32m+\e[0m "b",
                ]
            }
          \e[32m+\e[0m [
              \e[32m+\e[0m "x",
            ]
          \e[32m+\e[0m [],
        ]
      \e[32m+\e[0m script        = <<-EOT
          #!/bin/sh
          echo "hi"
          
            indented	Tab
        EOT
      \e[32m+\e[0m "with space"  = "q"
    }

  \e[1m# local.thing.upd\e[0m will be updated in-place
  \e[33m~\e[0m resource "local.thing" "upd" {
      \e[32m+\e[0m added        = "hello"
      \e[32m+\e[0m added_list   = [
          \e[32m+\e[0m true,
          \e[32m+\e[0m null,
        ]
      \e[33m~\e[0m flagged      = (sensitive)
      \e[33m~\e[0m float        = 1.5 -> 2.75
      \e[33m~\e[0m from_multi   = <<-EOT
        \e[31m-\e[0m a
        \e[31m-\e[0m b
        \e[32m+\e[0m ab
        EOT
        id           = "u1"
      \e[33m~\e[0m kind_change  = {k = "v"} -> "scalar"
      \e[33m~\e[0m later        = "known now" -> (known after apply)
      \e[33m~\e[0m later_map    = {
          \e[33m~\e[0m y = 2 -> (known after apply)
            \e[2m# (1 unchanged element hidden)\e[0m
        }
      \e[33m~\e[0m list         = [
            "a",
          \e[33m~\e[0m "b" -> "B",
            "c",
          \e[32m+\e[0m "d",
        ]
      \e[33m~\e[0m meta         = {
          \e[33m~\e[0m b = 2 -> 20
          \e[31m-\e[0m d = 4 -> null
          \e[32m+\e[0m e = 5
            \e[2m# (2 unchanged elements hidden)\e[0m
        }
      \e[33m~\e[0m meta1        = {
          \e[33m~\e[0m b = 2 -> 3
            \e[2m# (1 unchanged element hidden)\e[0m
        }
      \e[33m~\e[0m objs         = [
            {
                m = "keep"
                n = 1
            }
          \e[33m~\e[0m {
              \e[33m~\e[0m n = 2 -> 3
            }
        ]
      \e[33m~\e[0m pw           = (sensitive)
      \e[31m-\e[0m removed      = "bye" -> null
      \e[31m-\e[0m removed_map  = {
          \e[31m-\e[0m l = [
              \e[31m-\e[0m 1,
              \e[31m-\e[0m 2,
            ]
          \e[31m-\e[0m r = 1
        } -> null
      \e[31m-\e[0m removed_text = <<-EOT
          l1
          l2
        EOT -> null
      \e[33m~\e[0m secret_map   = (sensitive) -> "plain"
      \e[33m~\e[0m shrink       = [
            1,
          \e[31m-\e[0m 2 -> null,
          \e[31m-\e[0m 3 -> null,
        ]
      \e[33m~\e[0m size         = 1 -> 2
      \e[33m~\e[0m text         = <<-EOT
          one
        \e[31m-\e[0m two
        \e[32m+\e[0m 2
          three
          four
        \e[32m+\e[0m five
        EOT
      \e[33m~\e[0m to_map       = "flat" -> {k = "v"}
      \e[33m~\e[0m to_multi     = <<-EOT
        \e[31m-\e[0m single
        \e[32m+\e[0m now
        \e[32m+\e[0m multi
        EOT
        \e[2m# (2 unchanged attributes hidden)\e[0m
    }

  \e[1m# local.thing.rep\e[0m must be replaced
\e[33m-/+\e[0m resource "local.thing" "rep" {
      \e[33m~\e[0m id   = "r1" -> (known after apply)
      \e[33m~\e[0m path = "/a" -> "/b" \e[31m# forces replacement\e[0m
      \e[33m~\e[0m spec = { \e[31m# forces replacement\e[0m
          \e[33m~\e[0m zone = "a" -> "b"
        }
        \e[2m# (1 unchanged attribute hidden)\e[0m
    }

  \e[1m# local.cert.web\e[0m must be replaced (create before destroy)
\e[33m+/-\e[0m resource "local.cert" "web" {
      \e[33m~\e[0m domain = "a.test" -> "b.test" \e[31m# forces replacement\e[0m
      \e[33m~\e[0m id     = "c1" -> (known after apply)
      \e[33m~\e[0m pem    = "-----BEGIN\nX\n" -> (known after apply)
    }

  \e[1m# local.thing.old\e[0m will be destroyed
  # (because not in the blueprint)
  \e[31m-\e[0m resource "local.thing" "old" {
      \e[31m-\e[0m body   = <<-EOT
          x
          y
        EOT -> null
      \e[31m-\e[0m empty  = [] -> null
      \e[31m-\e[0m id     = "o1" -> null
      \e[31m-\e[0m secret = (sensitive) -> null
      \e[31m-\e[0m tags   = {
          \e[31m-\e[0m a = "1"
          \e[31m-\e[0m b = [
              \e[31m-\e[0m 1,
              \e[31m-\e[0m {
                  \e[31m-\e[0m z = null
                }
            ]
        } -> null
    }

  \e[1m# other.addr\e[0m will be updated in-place
  \e[33m~\e[0m resource "local.kind" "other.addr" {
      \e[33m~\e[0m id = "1" -> "2"
    }

\e[1mPlan: 3 to add, 2 to change, 3 to destroy.\e[0m
)--");
}

TEST(RenderGoldenColourTest, DriftWithoutChanges) {
  EXPECT_EQ(Visible(RenderPlan(DriftOnlyPlan(), true)),
            R"--(\e[1mObjects have changed outside of cairn:\e[0m

  \e[1m# local.thing.x\e[0m has changed
  \e[33m~\e[0m resource "local.thing" "x" {
        id = "x"
      \e[33m~\e[0m v  = 1 -> 2
        \e[2m# (2 unchanged attributes hidden)\e[0m
    }

\e[32mNo changes. Your infrastructure matches the blueprint.\e[0m
)--");
}

TEST(RenderGoldenColourTest, State) {
  EXPECT_EQ(Visible(RenderState(VariedState(), true)), R"--(\e[1m# local.other.b:\e[0m
resource "local.other" "b" {
    "a b" = 2.5
    id    = "b1"
}

\e[1m# local.thing.a:\e[0m
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

}  // namespace
}  // namespace cairn::plan
