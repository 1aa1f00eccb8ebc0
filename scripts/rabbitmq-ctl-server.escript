#!/usr/bin/env escript
%%! -hidden -kernel inet_dist_use_interface {127,0,0,1} +S 1:1 +A 1 +sbwt none +sbwtdcpu none +sbwtdio none
%%
%% rabbitmq-ctl-server.escript - runs Erlang expressions in our RabbitMQ node
%% for scripts/broker-rabbitmq.sh, from one Erlang VM that stays up.
%%
%%   escript rabbitmq-ctl-server.escript NODE SOCKET
%%
%% Why it exists: broker-rabbitmq.sh changes the node from outside
%% (vhost-add, vhost-delete, restart), and each change used to boot an
%% Erlang VM of its own to reach the node: about 0.3 s of CPU and of waiting
%% per call, and a grading run makes about ten of them. This VM boots once,
%% at `up`, and serves every call after that.
%%
%% It listens on a UNIX socket (SOCKET) in a folder only the node's owner
%% can open: whoever connects may run any code in the node, as whoever
%% holds its Erlang cookie may. broker-rabbitmq.sh makes that folder.
%%
%% One call per connection: the client sends the expressions (as
%% `rabbitmqctl eval` takes them, ending in a dot) and shuts down its
%% sending side; the reply is "ok\n", or "error\n" and the reason, or
%% "unreachable\n" when this VM cannot reach the node (it is shutting down,
%% say: the client may then boot a VM of its own), and the server closes.
%% Calls are served side by side, one Erlang process each.
-mode(compile).

main([NodeName, Path]) ->
    Node = list_to_atom(NodeName),
    Me = list_to_atom("wirebook-ctl-server-" ++ os:getpid() ++ "@localhost"),
    {ok, _} = net_kernel:start([Me, shortnames]),
    _ = file:delete(Path),
    Options = [{ifaddr, {local, Path}}, binary, {active, false}, {exit_on_close, false}],
    case gen_tcp:listen(0, Options) of
        {ok, Listener} ->
            io:format("rabbitmq-ctl-server: serving node ~s on ~s~n", [Node, Path]),
            accept_loop(Listener, Node);
        {error, Reason} ->
            io:format(standard_error, "rabbitmq-ctl-server: cannot listen on ~s: ~p~n",
                      [Path, Reason]),
            halt(1)
    end;
main(_) ->
    io:format(standard_error, "usage: rabbitmq-ctl-server.escript NODE SOCKET~n", []),
    halt(2).

accept_loop(Listener, Node) ->
    case gen_tcp:accept(Listener) of
        {ok, Socket} ->
            Handler = spawn(fun() -> receive go -> serve(Socket, Node) end end),
            ok = gen_tcp:controlling_process(Socket, Handler),
            Handler ! go,
            accept_loop(Listener, Node);
        {error, Reason} ->
            io:format(standard_error, "rabbitmq-ctl-server: accept failed: ~p~n", [Reason]),
            halt(1)
    end.

serve(Socket, Node) ->
    Reply = case read_all(Socket, []) of
                {ok, Text} -> eval_in(Node, Text);
                {error, Reason} -> {error, {reading_the_call, Reason}}
            end,
    _ = gen_tcp:send(Socket, reply_text(Reply)),
    gen_tcp:close(Socket).

%% Everything the client sends, up to its shutdown.
read_all(Socket, Acc) ->
    case gen_tcp:recv(Socket, 0) of
        {ok, Data} -> read_all(Socket, [Acc, Data]);
        {error, closed} -> {ok, binary_to_list(iolist_to_binary(Acc))};
        {error, Reason} -> {error, Reason}
    end.

%% What a bare VM running `rpc:call(Node, erl_eval, exprs, ...)` did: the
%% expressions run in the node itself, within 2 minutes.
eval_in(Node, Text) ->
    try
        {ok, Tokens, _} = erl_scan:string(Text),
        {ok, Exprs} = erl_parse:parse_exprs(Tokens),
        case rpc:call(Node, erl_eval, exprs, [Exprs, []], 120000) of
            {value, _, _} -> ok;
            {badrpc, nodedown} -> unreachable;
            Failed -> {error, Failed}
        end
    catch
        Class:Why -> {error, {Class, Why}}
    end.

reply_text(ok) -> <<"ok\n">>;
reply_text(unreachable) -> <<"unreachable\n">>;
reply_text({error, Reason}) -> io_lib:format("error~n~p~n", [Reason]).
