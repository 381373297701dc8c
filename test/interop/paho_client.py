#!/usr/bin/env python3
"""Drives the Eclipse Paho Python client (paho-mqtt 1.6 or 2.x) for crosswire's interop tests.

One JSON object a line on stdin, each with an "id"; one reply a line on stdout with the same
"reply" id. Messages and broker-side closes of held connections arrive as events in between:
{"event": "message", "handle": ..., "topic", "payload", "qos", "retain"} and
{"event": "closed", "handle": ...}. Requests:

  {"op": "version"}                                        -> {"version"}
  {"op": "open", "handle", "login", "filters": [[f, q]]}  -> {"code", "session_present", "granted"}
  {"op": "publish", "login", "message"}                    -> {"code", "completed"}
  {"op": "disconnect" | "drop", "handle"}                  -> {}
  {"op": "refuse", "login"}                                -> {"error"}  (what Paho says instead of connecting)

A login is {"host", "port", "client_id", "username", "password", "clean", "will": null | {"topic",
"payload", "qos"}}. "drop" closes the socket without DISCONNECT (the broker then publishes the will).
"""
import json
import socket
import sys
import threading
import time

import paho.mqtt.client as mqtt

WAIT_S = 5.0
_out = threading.Lock()


def emit(obj):
    with _out:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def make_client(login):
    kwargs = dict(client_id=login["client_id"], clean_session=login["clean"], protocol=mqtt.MQTTv311)
    if hasattr(mqtt, "CallbackAPIVersion"):  # paho-mqtt 2.x: keep the 1.x callback signatures
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, **kwargs)
    return mqtt.Client(**kwargs)


class Held:
    """One connection, its CONNACK and SUBACK, and whether the broker ended it."""

    def __init__(self, handle, login):
        self.handle = handle
        self.code = None
        self.session_present = None
        self.granted = None
        self.closing = False
        self.closed = threading.Event()
        self.connack = threading.Event()
        self.suback = threading.Event()
        client = make_client(login)
        client.username_pw_set(login["username"], login["password"])
        # a takeover or refusal must not be answered by a reconnect within the test
        client.reconnect_delay_set(min_delay=120, max_delay=120)
        will = login.get("will")
        if will:
            client.will_set(will["topic"], will["payload"].encode(), will["qos"], retain=False)
        client.on_connect = self.on_connect
        client.on_subscribe = self.on_subscribe
        client.on_message = self.on_message
        client.on_disconnect = self.on_disconnect
        self.client = client
        client.connect(login["host"], login["port"], keepalive=60)
        client.loop_start()

    def on_connect(self, client, userdata, flags, rc):
        self.code = int(rc)
        self.session_present = bool(flags.get("session present", 0))
        self.connack.set()

    def on_subscribe(self, client, userdata, mid, granted_qos):
        self.granted = [int(q) for q in granted_qos]
        self.suback.set()

    def on_message(self, client, userdata, msg):
        emit({"event": "message", "handle": self.handle, "topic": msg.topic, "payload": msg.payload.decode(errors="replace"), "qos": msg.qos, "retain": bool(msg.retain)})

    def on_disconnect(self, client, userdata, rc):
        if not self.closing and not self.closed.is_set() and self.handle is not None:
            emit({"event": "closed", "handle": self.handle})
        self.closed.set()
        self.connack.set()
        self.suback.set()

    def wait(self, event):
        event.wait(WAIT_S)

    def disconnect(self):
        self.closing = True
        self.client.disconnect()
        self.closed.wait(WAIT_S)
        self.client.loop_stop()

    def drop(self):
        self.closing = True
        sock = self.client.socket()
        self.client.loop_stop()  # the loop ends without sending DISCONNECT
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


held = {}


def do_open(req):
    conn = Held(req["handle"], req["login"])
    held[req["handle"]] = conn
    conn.wait(conn.connack)
    filters = req.get("filters") or []
    if conn.code == 0 and filters and not conn.closed.is_set():
        conn.client.subscribe([(f, q) for f, q in filters])
        conn.wait(conn.suback)
    return {"code": conn.code, "session_present": conn.session_present, "granted": conn.granted or []}


def do_publish(req):
    conn = Held(None, req["login"])
    conn.wait(conn.connack)
    if conn.code != 0:
        conn.drop()
        return {"code": conn.code, "completed": False}
    m = req["message"]
    info = conn.client.publish(m["topic"], m["payload"].encode(), m["qos"], retain=m["retain"])
    deadline = time.monotonic() + WAIT_S
    while not info.is_published() and not conn.closed.is_set() and time.monotonic() < deadline:
        time.sleep(0.01)
    completed = info.is_published() and not conn.closed.is_set()
    conn.disconnect()
    return {"code": conn.code, "completed": completed}


def do_refuse(req):
    try:
        make_client(req["login"])
        return {"error": "none: Paho built the client"}
    except ValueError as error:
        return {"error": str(error)}


def handle(req):
    op = req["op"]
    if op == "version":
        return {"version": getattr(mqtt, "__version__", None) or __import__("paho.mqtt").mqtt.__version__}
    if op == "open":
        return do_open(req)
    if op == "publish":
        return do_publish(req)
    if op == "disconnect":
        held.pop(req["handle"]).disconnect()
        return {}
    if op == "drop":
        held.pop(req["handle"]).drop()
        return {}
    if op == "refuse":
        return do_refuse(req)
    raise ValueError("unknown op " + op)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            reply = handle(req)
        except Exception as error:  # reported to the test, which fails with it
            reply = {"error": "%s: %s" % (type(error).__name__, error)}
        reply["reply"] = req["id"]
        emit(reply)
    for conn in list(held.values()):
        conn.drop()


if __name__ == "__main__":
    main()
