# wirebook - top-level Makefile (placeholder while the frame is built)
CC      ?= cc
CFLAGS  ?= -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -g -O1
BUILD   := build
TESTKIT_PKGS := jansson libcurl libmicrohttpd
TESTKIT_SRC  := $(wildcard testkit/*.c)
TESTKIT_OBJ  := $(TESTKIT_SRC:testkit/%.c=$(BUILD)/testkit/%.o)

$(BUILD)/lib/libwbtestkit.a: $(TESTKIT_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/testkit/%.o: testkit/%.c $(wildcard testkit/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Werror $(shell pkg-config --cflags $(TESTKIT_PKGS)) -Itestkit -c $< -o $@
