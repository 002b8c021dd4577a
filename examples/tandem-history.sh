#!/usr/bin/env bash
# Build a git repository in DIR holding the first weeks of the Tandem product, committed step
# by step by its product manager (Maya), a product designer (Priya) and a developer (Sam), so
# that `pm history` and `pm diff` have a real history to tell.
#
#   examples/tandem-history.sh /tmp/tandem-history
#   cd /tmp/tandem-history && pm history
#
# Uses `pm` from PATH, or the binary named by $PM.
set -euo pipefail

dir=${1:?usage: tandem-history.sh DIR}
pm=${PM:-pm}
mkdir -p "$dir"
cd "$dir"
if [ -e .git ]; then
  echo "$dir is already a git repository" >&2
  exit 2
fi
git init -q -b main

# commit AUTHOR DATE MESSAGE
commit() {
  local email
  email="$(echo "$1" | tr '[:upper:]' '[:lower:]')@tandem.example"
  git add -A
  GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL="$email" GIT_AUTHOR_DATE="$2T10:00:00+00:00" \
    GIT_COMMITTER_NAME="$1" GIT_COMMITTER_EMAIL="$email" GIT_COMMITTER_DATE="$2T10:00:00+00:00" \
    git -c commit.gpgsign=false commit -qm "$3"
}

q() { "$pm" -q "$@"; }

q init --name "Tandem"
commit Maya 2024-01-08 "Start the Tandem product"

q epic add "Household setup and invitations" --vision V-1 --owner maya --horizon now
q epic add "Shared expenses and fair splitting" --vision V-1 --owner priya --horizon next
q epic add "Bank sync and transaction import" --vision V-1 --owner sam --horizon later
q epic add "Settle up" --vision V-1 --owner priya --horizon later
commit Maya 2024-01-09 "Roadmap: four epics, households first"

q story add "Sign up with email and password" --epic E-1 --priority high --points 3 \
  --ac "Given a new email, when I sign up, then I get a verification email" \
  --ac "Given an unverified account, when I log in, then I am asked to verify first"
q story add "Create a household" --epic E-1 --priority high --points 2 \
  --ac "Given I am signed in, when I create a household, then I am its first member"
q story add "Invite a member with a share link" --epic E-1 --priority medium --points 3 \
  --ac "Given a household, when I share the invite link, then whoever opens it can join"
q story add "Reset password by email" --epic E-1 --priority medium --points 2 \
  --ac "Given a registered email, when I ask for a reset, then a link valid for one hour is sent"
commit Maya 2024-01-10 "Stories for household setup"

q story add "Add a shared expense" --epic E-2 --priority high --points 3 \
  --ac "Given a household, when I add an expense, then every member sees it within a minute"
q story add "Split an expense by custom percentages" --epic E-2 --priority medium --points 5 \
  --ac "Given an expense, when I set percentages that add up to 100, then each share follows them"
q story add "Split expenses in proportion to income" --epic E-2 --priority low --points 8 \
  --ac "Given each member's income, when an expense is split by income, then shares follow the ratio"
commit Priya 2024-01-15 "Stories for shared expenses"

q rank S-5 --after S-2
q roadmap move E-2 now
commit Maya 2024-01-22 "Expenses come right after households: without them nobody stays"

q story set S-1 status=in-progress owner=sam
q ac check S-1 AC-1
commit Sam 2024-02-05 "Sign-up: verification email works"

q ac check S-1 AC-2
q story done S-1
q story set S-2 status=in-progress owner=sam
commit Sam 2024-02-12 "Sign-up done; households next"

q story drop S-7
q story set S-6 priority=high
q rank S-6 --after S-5
commit Priya 2024-02-20 "Interviews: couples want custom percentages, not an income split"

q story add "Connect a bank account via Open Banking" --epic E-3 --priority critical --points 13 --top \
  --ac "Given a UK bank, when I connect it, then the last 90 days of transactions are imported"
q roadmap move E-3 next --top
commit Maya 2024-03-04 "Bank sync jumps the queue: the partner bank deal needs it by April"

q story done S-2
q ac add S-3 "Given an invite link older than 7 days, when someone opens it, then they are told to ask for a new one"
q story set S-3 priority=high
commit Sam 2024-03-11 "Households done; invite links expire"

# Sprints: two weeks each, planned to capacity from the top of the backlog.
q sprint add "Sprint 1" --start 2024-03-11 --capacity 8 --goal "A household can be set up and shared"
q sprint plan SP-1 S-3 S-5 S-4
q sprint start SP-1
commit Maya 2024-03-11 "Sprint 1: invites, first expenses, password reset"

q story set S-3 status=in-progress owner=sam
commit Sam 2024-03-13 "Invite links: started"

q ac check S-3 AC-1
q ac check S-3 AC-2
q story done S-3
q story set S-5 status=in-progress owner=priya
commit Sam 2024-03-15 "Invite links done"

q ac check S-5 AC-1
q story done S-5
commit Priya 2024-03-20 "Shared expenses done"

q sprint add "Sprint 2" --capacity 8 --goal "Expenses split the way couples want"
q sprint close SP-1 --carry-to SP-2
q sprint plan SP-2 S-6
q sprint start SP-2
commit Maya 2024-03-22 "Sprint 1 closed: password reset carried over"

q story set S-4 status=in-progress owner=sam
commit Sam 2024-03-26 "Password reset: started"

q ac check S-4 AC-1
q story done S-4
q story set S-6 status=in-progress owner=priya
commit Sam 2024-03-27 "Password reset done"

q ac check S-6 AC-1
q story done S-6
commit Priya 2024-04-04 "Custom percentages done"

q sprint add "Sprint 3" --capacity 13 --goal "Transactions arrive from the partner bank"
q sprint close SP-2
q sprint plan SP-3 S-8
q sprint start SP-3
q epic set E-3 target=2024-04-30
commit Maya 2024-04-05 "Sprint 2 closed; sprint 3 is bank sync"

q story set S-8 status=in-progress owner=sam
commit Sam 2024-04-09 "Bank sync: started"

# Two people at once: Priya writes the settle-up stories on a branch while Sam works on main;
# Maya merges. pm's merge driver (registered by `pm init`) merges the backlog and roadmap by
# item, and `pm history` credits each change to the commit that made it.
git checkout -q -b priya/settle-up
q story add "Record a settle-up payment" --epic E-4 --priority high --points 3 \
  --ac "Given I owe Jonas 42.50, when I record that I paid him, then we are both at 0.00"
q story add "See who owes whom" --epic E-4 --priority high --points 5 \
  --ac "Given three members and ten expenses, when I open Balances, then I see at most two payments to settle"
q roadmap move E-4 next
commit Priya 2024-04-10 "Settle-up stories; settle up comes next"

git checkout -q main
q ac add S-8 "Given the bank times out, when I retry, then no transaction is imported twice"
q roadmap move E-3 now
commit Sam 2024-04-10 "Bank sync: retries must not import twice; bank sync is now"

GIT_AUTHOR_NAME=Maya GIT_AUTHOR_EMAIL=maya@tandem.example GIT_AUTHOR_DATE=2024-04-11T10:00:00+00:00 \
  GIT_COMMITTER_NAME=Maya GIT_COMMITTER_EMAIL=maya@tandem.example GIT_COMMITTER_DATE=2024-04-11T10:00:00+00:00 \
  git -c commit.gpgsign=false merge -q --no-ff -m "Merge priya/settle-up" priya/settle-up

# The vision's metrics: a baseline once the private beta opened, then Maya's weekly update.
vision=$(ls product/visions/V-1-*.md)
cat > "$vision" <<'VISION'
---
id: V-1
title: Tandem
status: active
metrics:
  - name: Weekly active households
    target: 2000
    current: 310
  - name: Median minutes to settle up each month
    target: 5
    current: 24
---

Households of two to six people share costs without anyone becoming the treasurer.
VISION
commit Maya 2024-04-12 "Vision metrics: the private beta's baseline"

q vision set V-1 "metric.Weekly active households=420" "metric.Median minutes to settle up each month=22"
commit Maya 2024-04-19 "Metrics: week 2 of the beta"

q vision set V-1 "metric.Weekly active households=610" "metric.Median minutes to settle up each month=19"
commit Maya 2024-04-26 "Metrics: week 3 of the beta"

q vision set V-1 "metric.Weekly active households=580" "metric.Weekly active households.target=2500" \
  "metric.Median minutes to settle up each month=15"
commit Maya 2024-05-03 "Metrics: a dip after the bank outage; the partner bank raised the target"
