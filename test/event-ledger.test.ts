import { describe, expect, it } from 'vitest';
import { EventLedger, Flag } from '../src/oracle/event-ledger.ts';

const noViewerDrops = () => false;

describe('event accounting', () => {
  it('explains every published event or reports the gap', () => {
    const ledger = new EventLedger();
    const delivered = ledger.newEvent(0, 10);
    ledger.set(delivered, Flag.published | Flag.serviceReceived | Flag.deliveredOwn);
    const offline = ledger.newEvent(0, 11); // never published: camera was offline
    void offline;
    const serviceDown = ledger.newEvent(1, 12);
    ledger.set(serviceDown, Flag.published | Flag.serviceUnready);
    const inFlight = ledger.newEvent(1, 13);
    ledger.set(inFlight, Flag.published | Flag.inFlightAtClose);
    const noViewer = ledger.newEvent(2, 14);
    ledger.set(noViewer, Flag.published | Flag.serviceReceived);
    ledger.routed(noViewer, 0, 15, 0);
    const lostAfterRouting = ledger.newEvent(2, 16);
    ledger.set(lostAfterRouting, Flag.published | Flag.serviceReceived);
    ledger.routed(lostAfterRouting, 0, 17, 2);
    const vanished = ledger.newEvent(3, 18);
    ledger.set(vanished, Flag.published);

    const a = ledger.account(4, noViewerDrops);
    expect(a.published).toBe(6);
    expect(a.skippedOffline).toBe(1);
    expect(a.delivered).toBe(1);
    expect(a.dropped['service-offline']).toBe(1);
    expect(a.dropped['no-viewer-online']).toBe(1);
    expect(a.indeterminate['camera-link-closed-in-flight']).toBe(1);
    expect(a.gap).toBe(2);
    expect(a.gapExamples).toEqual([lostAfterRouting, vanished]);
    expect(a.camerasWithGap).toBe(2);
  });

  it('owes its owner an event delivered or lost through the pipeline, not one no viewer could take', () => {
    const ledger = new EventLedger();
    const publish = (extra: number) => {
      const id = ledger.newEvent(0, ledger.count);
      ledger.set(id, Flag.published | extra);
      return id;
    };
    const delivered = publish(Flag.serviceReceived | Flag.deliveredOwn);
    const deliveredElsewhere = publish(Flag.serviceReceived | Flag.deliveredForeign);
    const lookupFailed = publish(Flag.serviceReceived);
    ledger.drop(lookupFailed, 'lookup-failed');
    const unknown = publish(Flag.serviceReceived);
    ledger.drop(unknown, 'unknown-device');
    const vanished = publish(0);
    publish(Flag.serviceUnready);
    publish(Flag.serviceLinkClosed);
    publish(Flag.inFlightAtClose);
    const noViewer = publish(Flag.serviceReceived);
    ledger.routed(noViewer, 0, 1, 0);
    const viewerDropped = publish(Flag.serviceReceived);
    ledger.routed(viewerDropped, 0, 1, 1);
    const badPayload = publish(Flag.serviceReceived);
    ledger.drop(badPayload, 'bad-payload');

    const owed: number[] = [];
    ledger.account(1, (_account, _at) => true, (id) => owed.push(id));
    expect(owed).toEqual([delivered, deliveredElsewhere, lookupFailed, unknown, vanished]);
  });

  it('calls a routed event lost while its viewer dropped indeterminate, not a gap', () => {
    const ledger = new EventLedger();
    const id = ledger.newEvent(0, 1);
    ledger.set(id, Flag.published | Flag.serviceReceived);
    ledger.routed(id, 3, 2, 1);
    const a = ledger.account(1, (account) => account === 3);
    expect(a.gap).toBe(0);
    expect(a.indeterminate['viewer-link-closed-in-flight']).toBe(1);
  });

  it('marks exactly the unreceived events as lost when the service link drops', () => {
    const ledger = new EventLedger();
    const received = ledger.newEvent(0, 1);
    ledger.set(received, Flag.published | Flag.serviceReceived | Flag.deliveredOwn);
    const onTheWay = ledger.newEvent(1, 2);
    ledger.set(onTheWay, Flag.published);
    ledger.serviceLinkClosed();
    const afterDrop = ledger.newEvent(2, 3); // published after the drop: not excused by it
    ledger.set(afterDrop, Flag.published);
    const a = ledger.account(3, noViewerDrops);
    expect(a.delivered).toBe(1);
    expect(a.indeterminate['service-link-closed-in-flight']).toBe(1);
    expect(a.gapExamples).toEqual([afterDrop]);
  });

  it('grows past its initial capacity', () => {
    const ledger = new EventLedger();
    for (let i = 0; i < 5000; i++) ledger.set(ledger.newEvent(i % 7, i), Flag.published | Flag.dropped);
    expect(ledger.account(7, noViewerDrops).published).toBe(5000);
    expect(ledger.device[4999]).toBe(4999 % 7);
  });
});
