# wirebook - the course's build, grading and self-test entry points.
#
#   make grade [SUBMISSION=DIR] [ONLY=CHAPTER[/EXERCISE]] [KAFKA=real]  grade a submission
#   make batch SUBMISSIONS=DIR [JOBS=4] [FORCE=1]          grade a folder of submissions
#   make check [CHAPTER=01_rest] [EXERCISE=http_client]     test your own work, readable output
#   make watch | hint | progress [EXERCISE=http_client]      the student's loop (wirebook --help)
#   make quiz [QUIZ=document] [ANSWERS=FILE]                  the quizzes, in the terminal
#   make test                                                the project's own test suite
#   make mistakes [ONLY=CHAPTER[/EXERCISE]]                  every wrong variant must lose points
#   make                                                     build the tool and example programs
#
# Every dependency comes from Debian packages (scripts/packages.txt) and is
# found with pkg-config; `make deps` installs what is missing.

CC       ?= cc
CFLAGS   ?= -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -g -O1
BUILD    := build
WB       := $(BUILD)/bin/wirebook

# Values given on the command line reach the shell quoted ($(call q,...)), so
# SUBMISSION='bob`touch x`.zip' is a file name, never a command.
q = '$(subst ','\'',$(1))'

SUBMISSION ?= chapters
ONLY       ?=
CHAPTER    ?=
EXERCISE   ?=
QUIZ       ?=
ANSWERS    ?=
KAFKA      ?=
# KAFKA=real grades chapter 04 against a real Apache Kafka node (started by
# scripts/broker-kafka.sh) instead of librdkafka's embedded mock cluster.
export WB_KAFKA := $(KAFKA)

# pkg-config modules the grader links (seccomp: sandbox.c; libarchive: submission.c;
# libcrypto: SHA-256 quiz keys of a release).
GRADER_PKGS := jansson libseccomp libarchive libcrypto

# pkg-config modules the test kit's chapter helpers include.
TESTKIT_PKGS := jansson libcurl libmicrohttpd

# grader/src is grouped by stage; each folder only calls the ones below it:
#   cli/ -> student/, batch/ -> pipeline/ -> sandbox/, quiz/ -> course/
GRADER_DIRS  := cli student batch pipeline sandbox quiz course
GRADER_INC   := $(addprefix -Igrader/src/,$(GRADER_DIRS))
GRADER_HDR   := $(wildcard $(addsuffix /*.h,$(addprefix grader/src/,$(GRADER_DIRS))))
GRADER_SRC   := $(filter-out grader/src/cli/wirebook.c,$(wildcard grader/src/*/*.c))
GRADER_OBJ   := $(GRADER_SRC:grader/src/%.c=$(BUILD)/grader/%.o)
# The grader shares the test kit's UTF-8 repair (testkit/wb_utf8.c).
GRADER_OBJ   += $(BUILD)/grader/wb_utf8.o
TESTKIT_SRC  := $(wildcard testkit/*.c)
TESTKIT_OBJ  := $(TESTKIT_SRC:testkit/%.c=$(BUILD)/testkit/%.o)
GRADER_TESTS := $(patsubst grader/tests/%.c,$(BUILD)/grader-tests/%,$(wildcard grader/tests/test_*.c))

.PHONY: all deps tool grade batch gradescope release check watch hint progress quiz test test-asan test-valgrind mistakes skeletons programs compdb bench format \
        format-check clean help

all: tool programs compdb

help:
	@sed -n '3,13p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@sh scripts/install-deps.sh

tool: $(WB) $(BUILD)/lib/libwbtestkit.a

# -z now: every library symbol is bound once, at start. The grader forks a
# keeper, an init and a program for each run; with lazy binding each of
# those looked up anew every function it called first (do_lookup_x was 4% of
# a whole-course grading's CPU).
$(WB): grader/src/cli/wirebook.c $(BUILD)/lib/libwbgrader.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(GRADER_INC) $^ $(shell pkg-config --libs $(GRADER_PKGS)) -Wl,-z,now -o $@

$(BUILD)/lib/libwbgrader.a: $(GRADER_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/grader/%.o: grader/src/%.c $(GRADER_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags $(GRADER_PKGS)) $(GRADER_INC) -Itestkit -c $< -o $@

$(BUILD)/grader/wb_utf8.o: testkit/wb_utf8.c testkit/wb_utf8.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itestkit -c $< -o $@

$(BUILD)/lib/libwbtestkit.a: $(TESTKIT_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/testkit/%.o: testkit/%.c $(wildcard testkit/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags $(TESTKIT_PKGS)) -Itestkit -c $< -o $@

$(BUILD)/grader-tests/%: grader/tests/%.c $(BUILD)/lib/libwbgrader.a $(BUILD)/lib/libwbtestkit.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DWB_SOURCE_ROOT='"$(CURDIR)"' $(GRADER_INC) -Itestkit $^ \
		$(shell pkg-config --libs $(GRADER_PKGS)) -lcriterion -o $@

# The main job: grade a submission (exit 0 whenever grading ran).
grade: deps
	@$(MAKE) --no-print-directory tool
	$(WB) grade --submission $(call q,$(SUBMISSION)) $(if $(ONLY),--only $(call q,$(ONLY)))

# Every submission in SUBMISSIONS=DIR, JOBS at a time: gradebook and summary in build/batch.
batch: deps
	@$(MAKE) --no-print-directory tool
	$(WB) batch $(call q,$(SUBMISSIONS)) $(if $(JOBS),-j $(call q,$(JOBS))) $(if $(ONLY),--only $(call q,$(ONLY))) $(if $(FORCE),--force)

# The student edition (no solutions, hidden tests or quiz keys): build/release/wirebook.
release: tool
	$(WB) release --out $(BUILD)/release/wirebook

# The Gradescope autograder: build/gradescope/autograder.zip (see gradescope/).
gradescope:
	@sh gradescope/make-zip.sh $(BUILD)/gradescope/autograder.zip

# CHAPTER, CHAPTER/EXERCISE or EXERCISE; nothing = the current exercise.
STUDENT_TARGET = $(if $(CHAPTER),$(CHAPTER)$(if $(EXERCISE),/$(EXERCISE)),$(EXERCISE))

check: tool
	$(WB) check $(if $(STUDENT_TARGET),$(call q,$(STUDENT_TARGET)))

watch: tool
	$(WB) watch $(if $(STUDENT_TARGET),$(call q,$(STUDENT_TARGET)))

hint: tool
	$(WB) hint $(if $(STUDENT_TARGET),$(call q,$(STUDENT_TARGET)))

progress: tool
	$(WB) progress

# Quizzes in the terminal (QUIZ=document, 01_rest, ...); answers are saved as you go.
quiz: tool
	$(WB) quiz $(if $(QUIZ),$(call q,$(QUIZ))) $(if $(ANSWERS),--save $(call q,$(ANSWERS)))

skeletons: tool
	$(WB) skeletons

programs: tool
	$(WB) build

compdb: tool
	$(WB) compdb

# The project's own suite: see scripts/selftest.sh for what it proves.
test:
	@sh scripts/install-deps.sh --all
	@$(MAKE) --no-print-directory tool $(GRADER_TESTS)
	@sh scripts/selftest.sh

test-asan: tool
	$(WB) grade --submission solutions --sanitize --out $(BUILD)/grade-asan --expect '*=full'

# The mistakes corpus (solutions/*/mistakes/): every variant must lose points.
mistakes: tool
	$(WB) mistakes -j $(or $(JOBS),2) $(ONLY)

test-valgrind: tool
	$(WB) grade --submission solutions --valgrind --no-quiz --out $(BUILD)/grade-valgrind

bench: deps
	@sh scripts/install-deps.sh bench-peers
	@$(MAKE) --no-print-directory tool
	@sh scripts/bench.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) compile_commands.json
