// SPDX-License-Identifier: GPL-2.0
/*
 * bbrx: a BBRv3-style model-based congestion control for stock kernels.
 *
 * The model
 * ---------
 * bbrx builds an explicit model of the path from what the stack's delivery
 * rate sampler reports on every ACK (struct rate_sample), and derives the two
 * controls, the pacing rate and cwnd, from that model instead of reacting to
 * each loss like Reno or CUBIC do:
 *
 *   max_bw      = windowed max of delivery rate samples, over the current and
 *                 the previous bandwidth probing cycle (bw_hi[2] below)
 *   min_rtt     = windowed min of RTT samples, refreshed at least every
 *                 probe_rtt_interval and expiring after twice that
 *   bdp         = max_bw * min_rtt
 *
 *   pacing_rate = pacing_gain * min(max_bw, bw_lo) * 99%
 *   cwnd        = min(cwnd_gain * bdp + extra_acked (aggregation allowance),
 *                     inflight_hi (with headroom while cruising), inflight_lo)
 *
 * Loss and ECN are taken into account at two time scales:
 *
 *  - long term: inflight_hi is the volume of data in flight at which a round
 *    trip of bandwidth probing saw a loss rate above loss_thresh (or a CE
 *    mark ratio above ecn_thresh). It is only learned while probing (its
 *    "samples" are the ACKs from the start of UP to the end of the first
 *    round trip of DOWN after it), it bounds cwnd in all of PROBE_BW, and
 *    UP raises it again slowly at first, then exponentially.
 *
 *  - short term: bw_lo and inflight_lo follow the latest delivery process.
 *    At the end of the second round trip in a row that saw congestive
 *    loss (below), or of one that saw excess CE marks, while the flow was
 *    not probing, they are cut to beta (0.7) of their value but no lower
 *    than what the round actually delivered. They are forgotten whenever
 *    the flow starts to probe again (REFILL) or leaves PROBE_RTT.
 *
 * Unlike BBRv3, bbrx only takes loss as a congestion signal in a round trip
 * that also showed a queue: an RTT sample more than loss_queue (12.5%) of
 * min_rtt above min_rtt. A bottleneck buffer that overflows has filled, so
 * congestive loss comes with queueing delay; loss on a path with no queue
 * (radio, a bad link) is random and would otherwise cut the bounds over and
 * over. The price: buffers shallower than loss_queue x BDP, and policers,
 * drop without delay, and there bbrx bounds inflight like BBRv1 (by its
 * probing pace), not by loss. loss_queue = 0 restores BBRv3's behaviour.
 * In a round with a queue, the loss rate must also exceed loss_thresh on
 * top of the background loss rate bg_loss, the EWMA of the loss rates of
 * rounds that neither probed nor showed a queue: 5% random loss must not
 * make every probe look too high; for the short-term cut, the round's loss
 * rate must exceed bg_loss by half of loss_thresh. Where bg_loss is not 0,
 * the loss count must also exceed what bg_loss predicts by more than
 * chance explains (three standard deviations of a count of clusters: a
 * queue drops whole skbs). The short-term cut also waits for a second
 * such round in a row, which chance rarely gives. And since bw is what
 * gets delivered, to deliver it across such a path the flow must also send
 * what the path drops: the PROBE_BW pacing and cwnd gains are scaled by
 * 1 / (1 - bg_loss) (bg_loss counted up to 25%).
 *
 * The state machine
 * -----------------
 *
 *            |
 *            v
 *   +---> STARTUP ---> DRAIN ---> PROBE_BW: DOWN ---> CRUISE
 *   |        ^                              ^            |
 *   |        |                              |            v
 *   |        |                             UP <------ REFILL
 *   |        |
 *   +--------+----- PROBE_RTT  (entered from any state, every
 *                               probe_rtt_interval of a busy flow)
 *
 * STARTUP     paces at startup_gain (4 ln 2 = 2.77) x max_bw so that the
 *             sending rate doubles every round trip, with cwnd at
 *             startup_cwnd_gain (2) x bdp. It ends when max_bw stops
 *             growing (three non-app-limited rounds without 25% growth),
 *             when the first 8 RTT samples of a round all show a queue,
 *             or as soon as a round, in recovery and with a queue, lost
 *             more than loss_thresh of its data in at least two loss
 *             events, or when two rounds in a row saw excess CE marks; in
 *             the last two cases inflight_hi is set from the estimated
 *             BDP (or what the round delivered, if larger).
 * DRAIN       paces at 0.35 x max_bw until in flight <= bdp, draining the
 *             queue STARTUP built.
 * PROBE_BW    cycles through four phases:
 *   DOWN      paces at 0.9 x bw until in flight is below both bdp and the
 *             headroom target (1 - headroom) x inflight_hi;
 *   CRUISE    paces at 1.0 x bw with cwnd at 1.0 x bdp (plus the ACK
 *             aggregation allowance), capped at (1 - headroom) x
 *             inflight_hi so that other flows find free buffer; in the
 *             last fifth of probe_rtt_interval without an RTT sample near
 *             min_rtt, at 0.9 x bw, to drain a standing queue before
 *             PROBE_RTT has to;
 *   REFILL    forgets bw_lo/inflight_lo and paces at 1.0 x bw for one round
 *             to fill the pipe before probing;
 *   UP        paces at 1.25 x bw with cwnd_gain + 0.25, raising inflight_hi
 *             by 1, 2, 4, ... packets per round while cwnd is limited by it;
 *             it ends when max_bw stops growing, when in flight reaches
 *             1.25 x bdp after a round (bdp at the RTT the probe began
 *             with, up to 2 x min_rtt), when in flight is back at the
 *             inflight_hi the previous probe learned, or when inflight is
 *             too high (then inflight_hi is learned and the flow goes DOWN).
 *             DOWN and CRUISE last until it is time to probe again: a
 *             randomized 2-3 s of wall clock, or sooner, after as many round
 *             trips as a Reno flow would need to grow its window by one BDP
 *             (at most 63 rounds), which keeps bbrx Reno-fair at the
 *             moderate BDPs where Reno and CUBIC work well.
 * PROBE_RTT   when min_rtt has not been refreshed (by an RTT sample within
 *             1/32 of it) for probe_rtt_interval (5 s), cap cwnd at
 *             0.5 x bdp for probe_rtt_duration (200 ms) and at least one
 *             round trip, to drain the bottleneck queue
 *             and measure the propagation delay; then return to PROBE_BW
 *             (CRUISE) or to STARTUP if the pipe was never filled.
 *
 * Approximations of BBRv3 forced by the stock rate_sample
 * -------------------------------------------------------
 * BBRv3 records, for every transmitted packet, the data in flight and the
 * data lost so far (tx_in_flight, lost), so that each ACK and each loss can
 * be judged against the flight it belonged to. A stock kernel does not keep
 * these per skb, so bbrx approximates:
 *
 *  - "lost since this packet was sent" by the losses since the start of the
 *    current packet-timed round trip (tp->lost delta), and the flight it was
 *    sent in by rs->prior_in_flight. A round's loss rate is therefore
 *    lost / prior_in_flight, evaluated on every ACK as losses accumulate.
 *    The inflight_hi a too-high probe leaves is the smallest of
 *    prior_in_flight, the flight when the round started (the ACKed and
 *    lost packets left during the previous round, so no later than that)
 *    and the round's largest delivery sample over 1 - bg_loss (what the
 *    path holds with its buffer full; see bbrx_tx_inflight()).
 *  - loss events are counted per ACK that marks new losses (rs->losses);
 *    there is no per-loss callback.
 *  - the CE mark ratio is rs->delivered_ce / rs->delivered over the rate
 *    sample's interval (about one round trip). The stock kernel counts all
 *    packets ACKed by an ECE ACK as CE, which with classic RFC 3168 echoing
 *    overstates the ratio, hence the ECN response is off by default.
 *  - there are no TLP-repair or "ACK of a TLP retransmission" signals; a
 *    loss repaired by TLP is seen as an ordinary loss.
 *  - BBRv3 raises inflight_hi to the tx_in_flight of any packet ACKed
 *    without excess loss; bbrx grows inflight_hi only in PROBE_BW UP,
 *    where the flight being ACKed is the probe's own.
 *  - on an RTO while probing, the probe is judged as too high with the
 *    smaller of the cwnd before the timeout and the flight at round start
 *    as its tx_in_flight (BBRv3 reads the first unacknowledged packet's).
 *  - on undo of a spurious recovery, the short-term bounds are forgotten
 *    and inflight_hi is raised back to at least the cwnd saved when recovery
 *    started (there is no room to save every bound).
 *
 * Units
 * -----
 * Bandwidth is in packets per microsecond scaled by 2^24 (BW_UNIT), which in
 * a u32 covers 715 bit/s to ~3 Tbit/s at 1500 byte packets. Gains and other
 * fractions are scaled by 2^8 (BBR_UNIT). Volumes are in packets, times in
 * microseconds (RTTs) or jiffies (timestamps). Tunables are u32 in per-mille
 * or milliseconds and are read afresh at every decision, so a change applies
 * to existing flows on their next ACK.
 *
 * All per-flow state lives in icsk_ca_priv (104 bytes); nothing is allocated
 * per socket. The hooks run in softirq or with the socket lock held: nothing
 * here sleeps.
 */
#include <linux/debugfs.h>
#include <linux/inet_diag.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

#include "tcptune.h"

/* Bandwidth unit: packets per usec, scaled by 2^24 (as in tcp_bbr.c). */
#define BW_SCALE	24
#define BW_UNIT		(1 << BW_SCALE)

/* Fixed point for gains and fractions: BBR_UNIT is 1.0. */
#define BBR_SCALE	8
#define BBR_UNIT	(1 << BBR_SCALE)

/* Tunables that are fractions are stated in per-mille. */
#define PERMILLE	1000

/* "No bound" for inflight_hi, inflight_lo, bw_lo and min_rtt_us. */
#define BBRX_INF	(~0U)

/*
 * Largest cwnd, in packets, the model computes with. Clamping BDPs here keeps
 * every product below 2^64; real cwnds are far smaller (snd_cwnd_clamp).
 */
#define BBRX_CWND_MAX	(1U << 24)

/* The pacing gains and cwnd gains of the state machine (BBR_UNIT = 1.0). */
/* DRAIN: drain the queue STARTUP built in about one round trip. */
static const u32 bbrx_drain_gain = BBR_UNIT * 35 / 100;
/* PROBE_BW DOWN: slower than delivery, to drain and yield bandwidth. */
static const u32 bbrx_probe_down_gain = BBR_UNIT * 90 / 100;
/* PROBE_BW UP: faster than delivery, to discover more bandwidth. */
static const u32 bbrx_probe_up_gain = BBR_UNIT * 5 / 4;
/* PROBE_BW UP: extra cwnd gain, so cwnd does not limit the probe. */
static const u32 bbrx_probe_up_cwnd_extra = BBR_UNIT / 4;
/*
 * PROBE_BW CRUISE: cwnd is one BDP (plus the ACK aggregation allowance).
 * With cwnd_gain x BDP here, a max_bw a few percent too high (max filter,
 * noisy samples) builds a standing queue of up to a BDP in deep buffers.
 */
static const u32 bbrx_cruise_cwnd_gain = BBR_UNIT;
/* PROBE_RTT: cwnd is half a BDP, enough to drain the queue. */
static const u32 bbrx_probe_rtt_cwnd_gain = BBR_UNIT / 2;

/* Pace 1% below the estimated bandwidth, to keep queues from building. */
static const u32 bbrx_pacing_margin_percent = 1;

/* cwnd floor, packets: 2 in flight plus 2 ACKed with delayed ACKs. */
static const u32 bbrx_min_pipe_cwnd = 4;

/* Full pipe: bandwidth grew by less than 25% ... */
static const u32 bbrx_full_bw_growth = BBR_UNIT * 5 / 4;
/* ... in this many non-app-limited round trips. */
static const u32 bbrx_full_bw_rounds = 3;

/* STARTUP ends when this many RTTs at the start of a round show a queue. */
static const u32 bbrx_startup_queue_samples = 8;

/*
 * STARTUP ends on loss after this many loss events in one round (BBRv3: 6;
 * see bbrx_check_startup_congestion()) ...
 */
static const u32 bbrx_startup_loss_events = 2;
/* ... or after this many rounds in a row with excess CE marks. */
static const u32 bbrx_startup_ecn_rounds = 2;

/* Wall clock wait between bandwidth probes: 2 s plus up to 1 s random. */
static const u32 bbrx_probe_wait_base_ms = 2000;
static const u32 bbrx_probe_wait_rand_ms = 1000;
/* Reno coexistence: probe after at most this many round trips. */
static const u32 bbrx_reno_rounds_max = 63;
/* Randomize the round bound by 0 or 1 round (62 or 63). */
static const u32 bbrx_reno_rounds_rand = 2;
/* UP doubles inflight_hi growth per round up to 2^30 packets per round. */
static const u32 bbrx_probe_up_rounds_max = 30;

/* ACK aggregation: two filter windows of this many round trips each ... */
static const u32 bbrx_extra_acked_win_rounds = 5;
/* ... and never more than this much time worth of bw (usec). */
static const u32 bbrx_extra_acked_max_us = 100 * USEC_PER_MSEC;

/* Send quantum: 1 ms worth of pacing rate, between 2 MSS and 64 KB. */
static const u32 bbrx_send_quantum_us = USEC_PER_MSEC;
static const u32 bbrx_send_quantum_max = 64 * 1024;
/* Offload budget: one quantum each in qdisc, in TSO/GSO, at the receiver. */
static const u32 bbrx_offload_quanta = 3;
/* UP: 2 more packets, so that probing raises inflight even at tiny BDP. */
static const u32 bbrx_probe_up_extra_pkts = 2;

/* Below this pacing rate (bit/s) send single-MSS skbs. */
static const u32 bbrx_min_tso_rate = 1200000;

/* An RTT within 2^-5 of the interval's min says the queue is empty. */
static const u32 bbrx_min_rtt_near_shift = 5;

/* min_rtt expires after this many probe_rtt intervals (the draft's 10 s). */
static const u32 bbrx_min_rtt_win_intervals = 2;

/* Background loss rate: fixed point 2^-16, EWMA gain 2^-3 per round. */
#define BBRX_BG_LOSS_SCALE	16
static const u32 bbrx_bg_loss_ewma_shift = 3;
/* PROBE_BW gains make up for background loss up to 25% (x 4/3). */
static const u32 bbrx_bg_loss_comp_max = (1U << BBRX_BG_LOSS_SCALE) / 4;
/* Loss is congestive when above background loss by this many std devs ... */
static const u32 bbrx_bg_loss_sigmas = 3;
/* ... of a count of clusters of up to this many packets (var_s < 2^46). */
static const u32 bbrx_loss_cluster_max = 64;

/* Counter saturation points (bit widths of the fields below). */
#define BBRX_ROUNDS_SINCE_PROBE_MAX	127
#define BBRX_LOSS_EVENTS_MAX		7
#define BBRX_ACKED_MAX			((1U << 20) - 1)

/* Tunables. Readers use READ_ONCE: netlink writes them at any time. */
static u32 bbrx_tun_loss_thresh = 20;		/* permille: 2% */
static u32 bbrx_tun_ecn_thresh = 500;		/* permille: 50% CE */
static u32 bbrx_tun_beta = 700;			/* permille: 0.7 cut */
static u32 bbrx_tun_headroom = 150;			/* permille: 15% */
static u32 bbrx_tun_probe_rtt_interval = 5000;	/* ms */
static u32 bbrx_tun_probe_rtt_duration = 200;	/* ms */
static u32 bbrx_tun_startup_gain = 2770;		/* permille: 4 ln 2 */
static u32 bbrx_tun_startup_cwnd_gain = 2000;	/* permille: 2.0 */
static u32 bbrx_tun_cwnd_gain = 2000;		/* permille: 2.0 */
static u32 bbrx_tun_ecn;				/* 0/1: respond to CE marks */
static u32 bbrx_tun_loss_queue = 125;		/* permille of min_rtt */

enum {
	BBRX_P_LOSS_THRESH,
	BBRX_P_ECN_THRESH,
	BBRX_P_BETA,
	BBRX_P_HEADROOM,
	BBRX_P_PROBE_RTT_INTERVAL,
	BBRX_P_PROBE_RTT_DURATION,
	BBRX_P_STARTUP_GAIN,
	BBRX_P_STARTUP_CWND_GAIN,
	BBRX_P_CWND_GAIN,
	BBRX_P_ECN,
	BBRX_P_LOSS_QUEUE,
	BBRX_NPARAMS
};

struct tcptune_param bbrx_params[BBRX_NPARAMS] = {
	[BBRX_P_LOSS_THRESH] = {
		"loss_thresh", &bbrx_tun_loss_thresh, 1, 500, "permille" },
	[BBRX_P_ECN_THRESH] = {
		"ecn_thresh", &bbrx_tun_ecn_thresh, 1, 1000, "permille" },
	[BBRX_P_BETA] = {
		"beta", &bbrx_tun_beta, 100, 1000, "permille" },
	[BBRX_P_HEADROOM] = {
		"headroom", &bbrx_tun_headroom, 0, 500, "permille" },
	[BBRX_P_PROBE_RTT_INTERVAL] = {
		"probe_rtt_interval", &bbrx_tun_probe_rtt_interval, 500, 60000,
		"ms" },
	[BBRX_P_PROBE_RTT_DURATION] = {
		"probe_rtt_duration", &bbrx_tun_probe_rtt_duration, 10, 2000,
		"ms" },
	[BBRX_P_STARTUP_GAIN] = {
		"startup_gain", &bbrx_tun_startup_gain, 1000, 4000, "permille" },
	[BBRX_P_STARTUP_CWND_GAIN] = {
		"startup_cwnd_gain", &bbrx_tun_startup_cwnd_gain, 1000, 4000,
		"permille" },
	[BBRX_P_CWND_GAIN] = {
		"cwnd_gain", &bbrx_tun_cwnd_gain, 1000, 4000, "permille" },
	[BBRX_P_ECN] = {
		"ecn", &bbrx_tun_ecn, 0, 1, "bool" },
	[BBRX_P_LOSS_QUEUE] = {
		"loss_queue", &bbrx_tun_loss_queue, 0, 1000, "permille" },
};

const unsigned int bbrx_nparams = ARRAY_SIZE(bbrx_params);

TCPTUNE_MODULE_PARAM(bbrx_loss_thresh, bbrx_params[BBRX_P_LOSS_THRESH],
		     "bbrx: loss rate per round that bounds inflight (permille, 1-500, default 20)");
TCPTUNE_MODULE_PARAM(bbrx_ecn_thresh, bbrx_params[BBRX_P_ECN_THRESH],
		     "bbrx: CE mark ratio that bounds inflight (permille, 1-1000, default 500)");
TCPTUNE_MODULE_PARAM(bbrx_beta, bbrx_params[BBRX_P_BETA],
		     "bbrx: multiplicative cut per congested round (permille, 100-1000, default 700)");
TCPTUNE_MODULE_PARAM(bbrx_headroom, bbrx_params[BBRX_P_HEADROOM],
		     "bbrx: share of inflight_hi left free while cruising (permille, 0-500, default 150)");
TCPTUNE_MODULE_PARAM(bbrx_probe_rtt_interval, bbrx_params[BBRX_P_PROBE_RTT_INTERVAL],
		     "bbrx: time between PROBE_RTT episodes (ms, 500-60000, default 5000)");
TCPTUNE_MODULE_PARAM(bbrx_probe_rtt_duration, bbrx_params[BBRX_P_PROBE_RTT_DURATION],
		     "bbrx: time spent at low inflight in PROBE_RTT (ms, 10-2000, default 200)");
TCPTUNE_MODULE_PARAM(bbrx_startup_gain, bbrx_params[BBRX_P_STARTUP_GAIN],
		     "bbrx: STARTUP pacing gain (permille, 1000-4000, default 2770)");
TCPTUNE_MODULE_PARAM(bbrx_startup_cwnd_gain, bbrx_params[BBRX_P_STARTUP_CWND_GAIN],
		     "bbrx: STARTUP cwnd gain over the BDP (permille, 1000-4000, default 2000)");
TCPTUNE_MODULE_PARAM(bbrx_cwnd_gain, bbrx_params[BBRX_P_CWND_GAIN],
		     "bbrx: cwnd gain over the BDP after STARTUP (permille, 1000-4000, default 2000)");
TCPTUNE_MODULE_PARAM(bbrx_ecn, bbrx_params[BBRX_P_ECN],
		     "bbrx: respond to CE marks on ECN flows (bool, default 0)");
TCPTUNE_MODULE_PARAM(bbrx_loss_queue, bbrx_params[BBRX_P_LOSS_QUEUE],
		     "bbrx: queueing delay, share of min_rtt, that makes loss count and ends STARTUP (permille, 0-1000, default 125; 0: all loss counts)");

/* Read a tunable; permille ones converted to BBR_UNIT fixed point. */
static u32 bbrx_tunable(const u32 *p)
{
	return READ_ONCE(*p);
}

static u32 bbrx_tunable_unit(const u32 *p)
{
	return DIV_ROUND_CLOSEST(bbrx_tunable(p) * BBR_UNIT, PERMILLE);
}

/* Scale @x by a per-mille tunable (beta, headroom); no overflow. */
static u32 bbrx_scale_permille(u32 x, const u32 *p)
{
	return div_u64((u64)x * bbrx_tunable(p), PERMILLE);
}

/* The states of the one state machine; see the header comment. */
enum bbrx_state {
	BBRX_STARTUP,
	BBRX_DRAIN,
	BBRX_PROBE_BW_DOWN,
	BBRX_PROBE_BW_CRUISE,
	BBRX_PROBE_BW_REFILL,
	BBRX_PROBE_BW_UP,
	BBRX_PROBE_RTT,
};

/* Which ACKs carry feedback from a bandwidth probe. */
enum bbrx_ack_phase {
	BBRX_ACKS_INIT,			/* no probe feedback expected */
	BBRX_ACKS_REFILLING,		/* REFILL: sending at bw */
	BBRX_ACKS_PROBE_STARTING,	/* UP: first round, no feedback yet */
	BBRX_ACKS_PROBE_FEEDBACK,	/* UP: ACKs of data sent while probing */
	BBRX_ACKS_PROBE_STOPPING,	/* probe over, last feedback arriving */
};

/* Per-flow state, in icsk_ca_priv: must stay <= ICSK_CA_PRIV_SIZE. */
struct bbrx {
	u32	min_rtt_us;		/* windowed min RTT, or BBRX_INF */
	u32	min_rtt_stamp;		/* jiffies when min_rtt_us was seen */
	u32	probe_rtt_min_us;	/* min RTT in this probe_rtt interval */
	u32	probe_rtt_min_stamp;	/* jiffies when it was seen */
	u32	probe_rtt_done_stamp;	/* jiffies PROBE_RTT may end, 0: unset */
	u32	prior_cwnd;		/* last good cwnd before recovery/PROBE_RTT */
	u32	next_round_delivered;	/* tp->delivered at this round's start */
	u32	round_lost_start;	/* tp->lost at this round's start */
	u32	bw_hi[2];		/* max bw: [0] previous, [1] this cycle */
	u32	bw_lo;			/* short-term bw bound, or BBRX_INF */
	u32	bw_latest;		/* max bw sample in this round */
	u32	inflight_hi;		/* long-term inflight bound, or BBRX_INF */
	u32	inflight_lo;		/* short-term inflight bound, or BBRX_INF */
	u32	inflight_latest;	/* max packets delivered per sample, round */
	u32	round_start_inflight;	/* in flight when this round started */
	u32	full_bw;		/* baseline max_bw for plateau detection */
	u32	cycle_stamp;		/* jiffies when PROBE_BW DOWN started */
	u32	probe_up_cnt;		/* packets ACKed per +1 inflight_hi in UP */
	u32	ack_epoch_stamp;	/* usec (low 32 bits) of aggregation epoch */
	u32	bg_loss_seq;		/* snd_nxt when DRAIN ended */
	u16	extra_acked[2];		/* max excess packets ACKed, two windows */
	u16	bg_loss;		/* loss rate without a queue, 2^-16 units */
	union {
		u16 probe_wait_ms;	/* DOWN, CRUISE: wait before next probe */
		u16 up_rtt_gain;	/* UP: srtt / min_rtt as it began (BBR_UNIT) */
	};
	u32	ack_epoch_acked:20,	/* packets ACKed in the aggregation epoch */
		extra_acked_win_rounds:5, /* age of the current window, rounds */
		extra_acked_win_idx:1,	/* current window in extra_acked[] */
		state:3,		/* enum bbrx_state */
		ack_phase:3;		/* enum bbrx_ack_phase */
	u32	prev_ca_state:3,	/* icsk_ca_state on the previous ACK */
		round_start:1,		/* this ACK starts a new round trip */
		idle_restart:1,		/* restarting after idle */
		probe_rtt_round_done:1,	/* a round passed at PROBE_RTT cwnd */
		probe_rtt_expired:1,	/* probe_rtt_min_us is due a refresh */
		has_seen_rtt:1,		/* pacing rate set from a real RTT */
		full_bw_reached:1,	/* STARTUP filled the pipe once */
		full_bw_now:1,		/* current plateau search found one */
		full_bw_cnt:2,		/* rounds without enough bw growth */
		bw_probe_samples:1,	/* ACKs now judge a bw probe's inflight */
		rounds_since_bw_probe:7, /* rounds since the last probe started */
		bw_probe_up_rounds:5,	/* UP rounds: inflight_hi growth = 2^n */
		loss_in_round:1,	/* this round saw loss */
		queue_in_round:1,	/* this round saw a queue (loss_queue) */
		ecn_in_round:1,		/* this round saw excess CE marks */
		loss_events_in_round:3,	/* ACKs that marked losses, saturating */
		prev_round_lossy:1,	/* the last round's loss was congestive */
		startup_ecn_rounds:2,	/* STARTUP rounds in a row with CE */
		prev_probe_too_high:1,	/* the last probe set inflight_hi */
		round_rtt_cnt:4,	/* STARTUP: RTT samples seen this round */
		round_rtt_no_queue:1,	/* one of them showed no queue */
		bg_wait_seq:1,		/* snd_una not yet past bg_loss_seq */
		bg_round_ok:1,		/* round began past it */
		rto_in_cycle:1,		/* an RTO hit this probe cycle */
		bw_filter_held:1,	/* the last cycle did not age max_bw */
		bw_probe_up_acks:20;	/* packets ACKed toward next inflight_hi+ */
};

static struct tcp_congestion_ops bbrx_cong_ops;

static bool bbrx_in_probe_bw(const struct bbrx *b)
{
	return b->state >= BBRX_PROBE_BW_DOWN && b->state <= BBRX_PROBE_BW_UP;
}

/* Is the flow deliberately sending faster than its model (no loss cuts)? */
static bool bbrx_is_probing_bw(const struct bbrx *b)
{
	return b->state == BBRX_STARTUP || b->state == BBRX_PROBE_BW_REFILL ||
	       b->state == BBRX_PROBE_BW_UP;
}

/* Long-term bandwidth estimate, in BW_UNIT. */
static u32 bbrx_max_bw(const struct bbrx *b)
{
	return max(b->bw_hi[0], b->bw_hi[1]);
}

/* Bandwidth the controls use: the long-term estimate, bounded short term. */
static u32 bbrx_bw(const struct bbrx *b)
{
	return min(bbrx_max_bw(b), b->bw_lo);
}

/*
 * @x / (1 - bg_loss), for a gain or a count of packets: bw counts delivered
 * packets only, and a path that drops a share of packets whatever the rate
 * (see bbrx_update_bg_loss()) must be sent that share on top for its
 * bottleneck to see bw.
 */
static u32 bbrx_bg_loss_comp(const struct bbrx *b, u32 x)
{
	u32 loss = min_t(u32, b->bg_loss, bbrx_bg_loss_comp_max);

	if (!loss)
		return x;
	return div_u64((u64)x << BBRX_BG_LOSS_SCALE,
		       (1U << BBRX_BG_LOSS_SCALE) - loss);
}

static u32 bbrx_probe_rtt_interval_jiffies(void)
{
	return msecs_to_jiffies(bbrx_tunable(&bbrx_tun_probe_rtt_interval));
}

/*
 * No RTT sample near the minimum for four fifths of probe_rtt_interval: a
 * queue has stood all that time, and PROBE_RTT is due soon to drain it.
 */
static bool bbrx_probe_rtt_due_soon(const struct bbrx *b)
{
	u32 interval = bbrx_probe_rtt_interval_jiffies();

	return time_after32(tcp_jiffies32,
			    b->probe_rtt_min_stamp + interval - interval / 5);
}

static u32 bbrx_state_pacing_gain(const struct bbrx *b)
{
	switch (b->state) {
	case BBRX_STARTUP:
		return bbrx_tunable_unit(&bbrx_tun_startup_gain);
	case BBRX_DRAIN:
		return bbrx_drain_gain;
	case BBRX_PROBE_BW_DOWN:
		return bbrx_probe_down_gain;
	case BBRX_PROBE_BW_UP:
		return bbrx_probe_up_gain;
	case BBRX_PROBE_BW_CRUISE:
		/*
		 * Drain a standing queue (e.g. from a max_bw above the link)
		 * before PROBE_RTT has to: an RTT sample near the minimum then
		 * restarts the interval. Usually a round trip or a few paced
		 * below the link instead of PROBE_RTT's 200 ms at half of it;
		 * if others hold the queue, or the RTT jitters, the rest of
		 * the interval, then PROBE_RTT as before.
		 */
		return bbrx_probe_rtt_due_soon(b) ? bbrx_probe_down_gain :
						    BBR_UNIT;
	default:	/* REFILL, PROBE_RTT */
		return BBR_UNIT;
	}
}

static u32 bbrx_pacing_gain(const struct bbrx *b)
{
	u32 gain = bbrx_state_pacing_gain(b);

	return bbrx_in_probe_bw(b) ? bbrx_bg_loss_comp(b, gain) : gain;
}

static u32 bbrx_state_cwnd_gain(const struct bbrx *b)
{
	u32 gain = bbrx_tunable_unit(&bbrx_tun_cwnd_gain);

	if (b->state == BBRX_STARTUP)
		return bbrx_tunable_unit(&bbrx_tun_startup_cwnd_gain);
	if (b->state == BBRX_PROBE_BW_UP)
		return gain + bbrx_probe_up_cwnd_extra;
	if (b->state == BBRX_PROBE_BW_CRUISE)
		return bbrx_cruise_cwnd_gain;
	if (b->state == BBRX_PROBE_RTT)
		return bbrx_probe_rtt_cwnd_gain;
	return gain;
}

static u32 bbrx_cwnd_gain(const struct bbrx *b)
{
	u32 gain = bbrx_state_cwnd_gain(b);

	return bbrx_in_probe_bw(b) ? bbrx_bg_loss_comp(b, gain) : gain;
}

/* gain x bw x min_rtt, in packets, rounded up. */
static u32 bbrx_bdp(const struct sock *sk, u32 bw, u32 gain)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u64 w;

	/* No RTT sample yet: stay at the stack's initial window. */
	if (unlikely(b->min_rtt_us == BBRX_INF))
		return TCP_INIT_CWND;

	w = (u64)bw * b->min_rtt_us;		/* packets << BW_SCALE */
	w = min_t(u64, w, (u64)BBRX_CWND_MAX << BW_SCALE);
	w = (w * gain) >> BBR_SCALE;
	return (w + BW_UNIT - 1) >> BW_SCALE;
}

/* Size of the aggregates we expect the stack to send, in packets. */
static u32 bbrx_send_quantum(const struct sock *sk)
{
	u32 mss = max_t(u32, tcp_sk(sk)->mss_cache, 1);
	u64 bytes;

	bytes = div_u64((u64)READ_ONCE(sk->sk_pacing_rate) *
			bbrx_send_quantum_us, USEC_PER_SEC);
	bytes = clamp_t(u64, bytes, 2 * mss, bbrx_send_quantum_max);
	return max_t(u32, div_u64(bytes, mss), 2);
}

/* Enough inflight to keep offload engines and ACK pipelining busy. */
static u32 bbrx_quantization_budget(const struct sock *sk, u32 inflight)
{
	const struct bbrx *b = inet_csk_ca(sk);

	inflight = max(inflight, bbrx_offload_quanta * bbrx_send_quantum(sk));
	inflight = max(inflight, bbrx_min_pipe_cwnd);
	if (b->state == BBRX_PROBE_BW_UP)
		inflight += bbrx_probe_up_extra_pkts;
	return inflight;
}

/* Inflight the model needs at @bw and @gain, in packets. */
static u32 bbrx_inflight(const struct sock *sk, u32 bw, u32 gain)
{
	return bbrx_quantization_budget(sk, bbrx_bdp(sk, bw, gain));
}

/* How much we want in flight: one BDP, unless congestion cut cwnd. */
static u32 bbrx_target_inflight(const struct sock *sk)
{
	const struct bbrx *b = inet_csk_ca(sk);

	return min(bbrx_bdp(sk, bbrx_bw(b), BBR_UNIT),
		   tcp_snd_cwnd(tcp_sk(sk)));
}

/* inflight_hi less headroom for other flows, or BBRX_INF. */
static u32 bbrx_inflight_with_headroom(const struct bbrx *b)
{
	u32 headroom;

	if (b->inflight_hi == BBRX_INF)
		return BBRX_INF;
	headroom = max(1U, bbrx_scale_permille(b->inflight_hi, &bbrx_tun_headroom));
	if (headroom >= b->inflight_hi)
		return bbrx_min_pipe_cwnd;
	return max(b->inflight_hi - headroom, bbrx_min_pipe_cwnd);
}

/* cwnd in PROBE_RTT: half a BDP, never below the pipelining floor. */
static u32 bbrx_probe_rtt_cwnd(const struct sock *sk)
{
	const struct bbrx *b = inet_csk_ca(sk);

	return max(bbrx_bdp(sk, bbrx_bw(b), bbrx_probe_rtt_cwnd_gain),
		   bbrx_min_pipe_cwnd);
}

/* Allowance for ACK aggregation: recent max excess ACKed, <= 100 ms of bw. */
static u32 bbrx_ack_aggregation_cwnd(const struct sock *sk)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u64 max_aggr;

	max_aggr = ((u64)bbrx_bw(b) * bbrx_extra_acked_max_us) >> BW_SCALE;
	return min_t(u64, max(b->extra_acked[0], b->extra_acked[1]), max_aggr);
}

/* The volume of data the model lets the flow keep in flight. */
static u32 bbrx_max_inflight(const struct sock *sk, u32 bw)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u32 inflight;

	inflight = bbrx_bdp(sk, bw, bbrx_cwnd_gain(b));
	inflight += bbrx_ack_aggregation_cwnd(sk);
	return bbrx_quantization_budget(sk, inflight);
}

/* Bound on cwnd from congestion seen, per state (see the header). */
static u32 bbrx_cwnd_cap_for_model(const struct bbrx *b)
{
	u32 cap = BBRX_INF;

	switch (b->state) {
	case BBRX_DRAIN:
	case BBRX_PROBE_BW_DOWN:
	case BBRX_PROBE_BW_REFILL:
	case BBRX_PROBE_BW_UP:
		cap = b->inflight_hi;
		break;
	case BBRX_PROBE_BW_CRUISE:
	case BBRX_PROBE_RTT:
		cap = bbrx_inflight_with_headroom(b);
		break;
	default:	/* STARTUP */
		break;
	}
	cap = min(cap, b->inflight_lo);
	return max(cap, bbrx_min_pipe_cwnd);
}

/* bw (BW_UNIT) x gain as a pacing rate in bytes per second, 1% margin. */
static unsigned long bbrx_pacing_rate(const struct sock *sk, u32 bw, u32 gain)
{
	u64 rate = (u64)bw * tcp_sk(sk)->mss_cache;

	rate = (rate * gain) >> BBR_SCALE;
	rate = mul_u64_u32_shr(rate, USEC_PER_SEC / 100 *
			       (100 - bbrx_pacing_margin_percent), BW_SCALE);
	return min_t(u64, rate, READ_ONCE(sk->sk_max_pacing_rate));
}

/* Before any bw sample: startup gain x initial cwnd / RTT (1 ms if none). */
static void bbrx_init_pacing_rate(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 rtt_us = USEC_PER_MSEC;
	u64 bw;

	if (tp->srtt_us) {
		rtt_us = max(tp->srtt_us >> 3, 1U);
		b->has_seen_rtt = 1;
	}
	bw = div_u64((u64)tcp_snd_cwnd(tp) * BW_UNIT, rtt_us);
	bw = min_t(u64, bw, U32_MAX);
	WRITE_ONCE(sk->sk_pacing_rate,
		   bbrx_pacing_rate(sk, bw,
				    bbrx_tunable_unit(&bbrx_tun_startup_gain)));
}

/* Until the pipe is full, only ever raise the pacing rate. */
static void bbrx_set_pacing_rate(struct sock *sk, u32 bw, u32 gain)
{
	struct bbrx *b = inet_csk_ca(sk);
	unsigned long rate = bbrx_pacing_rate(sk, bw, gain);

	if (unlikely(!b->has_seen_rtt && tcp_sk(sk)->srtt_us))
		bbrx_init_pacing_rate(sk);
	if (b->full_bw_reached || rate > READ_ONCE(sk->sk_pacing_rate))
		WRITE_ONCE(sk->sk_pacing_rate, rate);
}

/* Smallest TSO burst: 1 MSS below bbrx_min_tso_rate, else 2. */
static u32 bbrx_min_tso_segs(struct sock *sk)
{
	return READ_ONCE(sk->sk_pacing_rate) < (bbrx_min_tso_rate >> 3) ? 1 : 2;
}

/* Remember the last good cwnd, to restore after recovery or PROBE_RTT. */
static void bbrx_save_cwnd(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 cwnd = tcp_snd_cwnd(tcp_sk(sk));

	if (b->prev_ca_state < TCP_CA_Recovery && b->state != BBRX_PROBE_RTT)
		b->prior_cwnd = cwnd;
	else
		b->prior_cwnd = max(b->prior_cwnd, cwnd);
}

static void bbrx_start_round(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	b->next_round_delivered = tcp_sk(sk)->delivered;
}

/* A round trip ends when a packet sent after it started is delivered. */
static void bbrx_update_round(struct sock *sk, const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);

	b->round_start = 0;
	if (rs->delivered <= 0 ||
	    before(rs->prior_delivered, b->next_round_delivered))
		return;
	bbrx_start_round(sk);
	b->round_start = 1;
	if (b->rounds_since_bw_probe < BBRX_ROUNDS_SINCE_PROBE_MAX)
		b->rounds_since_bw_probe++;
}

/* Delivery rate of this ACK's sample in BW_UNIT, 0 if there is none. */
static u32 bbrx_bw_sample(const struct rate_sample *rs)
{
	u64 bw;

	if (rs->delivered <= 0 || rs->interval_us <= 0)
		return 0;
	bw = div64_u64((u64)rs->delivered * BW_UNIT, rs->interval_us);
	return min_t(u64, bw, U32_MAX);
}

/*
 * The max filter over two probe cycles. An app-limited sample shows the
 * application's rate, not the path's, so it only counts if it is higher.
 */
static void bbrx_update_max_bw(struct bbrx *b, const struct rate_sample *rs,
			       u32 bw)
{
	if (!bw || (rs->is_app_limited && bw < bbrx_max_bw(b)))
		return;
	b->bw_hi[1] = max(b->bw_hi[1], bw);
}

/*
 * A probe cycle ended: samples older than the previous cycle expire.
 * Except after a cycle an RTO hit: spent partly silent and partly slow-
 * starting back, it measured the outage, not the path, and aging the
 * filter then would leave max_bw at the recovery's rate until the next
 * probe (traced: half the rate before a 1.5 s outage). Its samples join
 * the next cycle's instead (bbrx's own rule, not BBRv3's); never twice in
 * a row, so that a path with an RTO every cycle still forgets a bandwidth
 * it lost. A cycle that took no sample at all (every one application
 * limited and below max_bw) leaves the filter as it is: aging it then
 * would make max_bw 0, and the pacing rate with it.
 */
static void bbrx_advance_max_bw_filter(struct bbrx *b)
{
	bool hold = b->rto_in_cycle && !b->bw_filter_held;

	b->rto_in_cycle = 0;
	b->bw_filter_held = hold;
	if (hold || !b->bw_hi[1])
		return;
	b->bw_hi[0] = b->bw_hi[1];
	b->bw_hi[1] = 0;
}

/* What the path delivered in this round, for the short-term bounds. */
static void bbrx_update_latest_delivery(struct bbrx *b,
					const struct rate_sample *rs, u32 bw)
{
	b->bw_latest = max(b->bw_latest, bw);
	if (rs->delivered > 0)
		b->inflight_latest = max_t(u32, b->inflight_latest,
					   rs->delivered);
}

static void bbrx_reset_congestion_signals(struct bbrx *b)
{
	b->loss_in_round = 0;
	b->ecn_in_round = 0;
	b->bw_latest = 0;
	b->inflight_latest = 0;
}

static void bbrx_reset_short_term_model(struct bbrx *b)
{
	b->bw_lo = BBRX_INF;
	b->inflight_lo = BBRX_INF;
}

static void bbrx_reset_full_bw(struct bbrx *b)
{
	b->full_bw = 0;
	b->full_bw_cnt = 0;
	b->full_bw_now = 0;
}

/* Does the flow respond to CE marks? Only on request, on ECN flows. */
static bool bbrx_ecn_usable(const struct sock *sk)
{
	return bbrx_tunable(&bbrx_tun_ecn) &&
	       (tcp_sk(sk)->ecn_flags & TCP_ECN_OK);
}

/*
 * Is @lost of @total above the loss the path shows without a queue (bg_loss)
 * by more than @margin (permille << BBRX_BG_LOSS_SCALE) of @total, and by
 * more than chance explains? With bg_loss > 0 a round's loss count is
 * random: a queue drops whole skbs (an emulator's random loss too), so
 * losses come in clusters of up to a send quantum (c packets; 2 at 20
 * Mbit/s), and the count's variance is about c x its mean: it must exceed
 * its mean by bbrx_bg_loss_sigmas standard deviations, sqrt(c x bg_loss x
 * @total) each. At 5% background loss over 80 packets in pairs (4 +- 2.8
 * lost) two deviations of single-packet draws (4 +- 2) were crossed in one
 * round in twenty: a quarter of the probes then set inflight_hi, and cut
 * the bounds, from random loss alone (traced on 2026-12-05: counts nearly
 * all even, variance 2.4 x the mean). On a clean path (bg_loss 0) only
 * @margin counts.
 */
static bool bbrx_loss_above_bg(const struct sock *sk, u32 lost, u32 total,
			       u64 margin)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u64 lost_s, mean_s, need_s, var_s;

	/* Counts of packets scaled by 2^BBRX_BG_LOSS_SCALE: below 2^40. */
	lost = min(lost, BBRX_CWND_MAX);
	total = min(total, BBRX_CWND_MAX);
	lost_s = (u64)lost << BBRX_BG_LOSS_SCALE;
	mean_s = (u64)b->bg_loss * total;
	need_s = mean_s + div_u64((u64)total * margin, PERMILLE);

	if (!lost || lost_s <= need_s)
		return false;
	if (!mean_s)
		return true;
	var_s = mean_s * min(bbrx_send_quantum(sk), bbrx_loss_cluster_max);
	/* sqrt(var) scaled by 2^16 is sqrt(var_s x 2^16). */
	return lost_s > mean_s + bbrx_bg_loss_sigmas *
			int_sqrt64(var_s << BBRX_BG_LOSS_SCALE);
}

/* Did more than loss_thresh of the flight (@inflight) get lost this round? */
static bool bbrx_loss_too_high(const struct sock *sk, u32 inflight)
{
	const struct bbrx *b = inet_csk_ca(sk);

	return bbrx_loss_above_bg(sk, tcp_sk(sk)->lost - b->round_lost_start,
				  inflight,
				  (u64)bbrx_tunable(&bbrx_tun_loss_thresh) <<
				  BBRX_BG_LOSS_SCALE);
}

/*
 * Does the round that just ended carry STARTUP's overshoot: is it DRAIN,
 * or did it begin before every packet sent in STARTUP and DRAIN was
 * delivered (bg_round_ok)? Its losses and their repair, which takes a few
 * rounds, are STARTUP's, already judged by its exit (inflight_hi); they say
 * nothing about the path's background loss nor about the round's flight.
 */
static bool bbrx_round_in_startup_repair(const struct bbrx *b)
{
	return b->state == BBRX_DRAIN || !b->bg_round_ok;
}

/*
 * At the end of a round that neither probed nor showed a queue, fold its
 * loss rate into bg_loss (EWMA, 1/8 per round): the path's background
 * loss, which no sending rate causes or cures. It runs on the ACK that
 * ends the round, before that ACK moves the PROBE_BW cycle on, so that
 * the round is judged by the phase it ran in. Rounds that carry a probe's
 * feedback (ack_phase not INIT: REFILL's, UP's, and DOWN's first, which
 * ACKs the end of UP) do not count: their losses are the probe's. Nor do
 * rounds of STARTUP's repair
 * (bbrx_round_in_startup_repair()): in a buffer too shallow to show a
 * queue (under loss_queue x BDP) they alone lifted bg_loss to 4-6%, and
 * the gains that make up for bg_loss then sent enough to keep
 * overflowing.
 */
static void bbrx_update_bg_loss(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 lost = tcp_sk(sk)->lost - b->round_lost_start;
	u32 total = lost + b->inflight_latest;
	u32 rate;

	if (!b->full_bw_reached || bbrx_is_probing_bw(b) ||
	    bbrx_round_in_startup_repair(b) ||
	    b->ack_phase != BBRX_ACKS_INIT || b->state == BBRX_PROBE_RTT ||
	    b->queue_in_round || !total)
		return;
	rate = min_t(u64, div_u64((u64)lost << BBRX_BG_LOSS_SCALE, total),
		     U16_MAX);
	if (rate >= b->bg_loss)
		b->bg_loss += (rate - b->bg_loss) >> bbrx_bg_loss_ewma_shift;
	else
		b->bg_loss -= (b->bg_loss - rate) >> bbrx_bg_loss_ewma_shift;
}

/*
 * Did this round see a queue at the bottleneck: an RTT sample more than
 * loss_queue (a share of min_rtt) above min_rtt? Loss only counts as a
 * congestion signal in such rounds; with loss_queue at 0 it always does.
 */
static bool bbrx_rtt_shows_queue(const struct bbrx *b, u32 rtt_us)
{
	u32 thresh = bbrx_tunable(&bbrx_tun_loss_queue);

	if (!thresh || b->min_rtt_us == BBRX_INF)
		return true;
	return (u64)rtt_us * PERMILLE > (u64)b->min_rtt_us * (PERMILLE + thresh);
}

static void bbrx_note_queue(struct sock *sk, const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);

	if (!bbrx_tunable(&bbrx_tun_loss_queue) ||
	    (rs->rtt_us > 0 && bbrx_rtt_shows_queue(b, rs->rtt_us)))
		b->queue_in_round = 1;
}

/* Were more than ecn_thresh of the packets in this sample CE marked? */
static bool bbrx_ecn_too_high(const struct sock *sk,
			      const struct rate_sample *rs)
{
	if (!bbrx_ecn_usable(sk) || rs->delivered <= 0 ||
	    rs->delivered_ce <= 0)
		return false;
	return (u64)rs->delivered_ce * PERMILLE >
	       (u64)rs->delivered * bbrx_tunable(&bbrx_tun_ecn_thresh);
}

static void bbrx_start_probe_bw_down(struct sock *sk);

/*
 * A bandwidth probe put too much in flight: remember about where that was
 * (never cutting below beta x target, as a CUBIC-like bound), and stop
 * probing. Only one reaction per probe.
 */
static void bbrx_handle_inflight_too_high(struct sock *sk, u32 tx_inflight,
					  bool app_limited, bool by_loss)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 floor;

	b->bw_probe_samples = 0;
	if (!app_limited) {
		floor = bbrx_scale_permille(bbrx_target_inflight(sk),
					    &bbrx_tun_beta);
		b->inflight_hi = max(tx_inflight, floor);
		b->prev_probe_too_high = 1;
		tcptune_stat_inc(sock_net(sk), by_loss ?
				 TCPTUNE_STAT_BBRX_LOSS_BOUND :
				 TCPTUNE_STAT_BBRX_ECN_BOUND);
	}
	if (b->state == BBRX_PROBE_BW_UP)
		bbrx_start_probe_bw_down(sk);
}

/*
 * The flight the packets ACKed (or found lost) now were sent in: they left
 * during the previous round trip, while in flight was at most what it was
 * when this round started. BBRv3 keeps this per packet (tx_in_flight);
 * prior_in_flight alone would add what was sent while the signal was on
 * its way back, and inflight_hi would creep up probe after probe.
 *
 * Neither bound says where loss began, only that it began by then. The
 * flight the path held when it did is what it delivers per round trip
 * with its buffer full (Little's law): the largest delivery sample of the
 * round, inflight_latest, plus what the path drops at random. Sender-side
 * counts overshot it by about a tenth (92 against 82-84 packets in a
 * 0.25-BDP buffer), so that even the probes meant to stop short of
 * inflight_hi overflowed the buffer.
 */
static u32 bbrx_tx_inflight(const struct bbrx *b, const struct rate_sample *rs)
{
	u32 tx = min_t(u32, rs->prior_in_flight, b->round_start_inflight);

	if (b->inflight_latest)
		tx = min(tx, bbrx_bg_loss_comp(b, b->inflight_latest));
	return tx;
}

/*
 * Note this ACK's loss and CE signals. Returns whether the flight is too
 * high by the model's standard; if a probe is being judged, react to it.
 */
static bool bbrx_note_congestion(struct sock *sk, const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);
	bool loss_high, ecn_high;

	bbrx_note_queue(sk, rs);
	if (rs->losses > 0) {
		b->loss_in_round = 1;
		if (b->loss_events_in_round < BBRX_LOSS_EVENTS_MAX)
			b->loss_events_in_round++;
	}
	ecn_high = bbrx_ecn_too_high(sk, rs);
	if (ecn_high)
		b->ecn_in_round = 1;
	loss_high = b->queue_in_round &&
		    bbrx_loss_too_high(sk, rs->prior_in_flight);

	if (b->bw_probe_samples && (loss_high || ecn_high))
		bbrx_handle_inflight_too_high(sk, bbrx_tx_inflight(b, rs),
					      rs->is_app_limited, loss_high);
	return loss_high || ecn_high;
}

/*
 * Was the loss of the round that just ended congestive? It must have come
 * with a queue, and (unless loss_queue is 0, BBRv3's rule: any loss) its
 * rate must exceed the background loss by half of loss_thresh: a path that
 * drops 2% at random drops 2% whether or not the flow queues a little.
 */
static bool bbrx_round_loss_congestive(const struct sock *sk)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u32 lost = tcp_sk(sk)->lost - b->round_lost_start;

	if (!b->loss_in_round || !b->queue_in_round)
		return false;
	if (!bbrx_tunable(&bbrx_tun_loss_queue))
		return true;
	return bbrx_loss_above_bg(sk, lost, lost + b->inflight_latest,
				  ((u64)bbrx_tunable(&bbrx_tun_loss_thresh) <<
				   BBRX_BG_LOSS_SCALE) / 2);
}

/*
 * At the end of a congested round while not probing, slow down toward what
 * the path just delivered: cut bw_lo and inflight_lo by beta, but never
 * below this round's delivery. The flight that delivered inflight_latest
 * also carried the packets the path drops at random: without adding them
 * back (x 1 / (1 - bg_loss)), each cut would shrink inflight_lo by the
 * loss rate, round after round, under random loss alone.
 *
 * Loss cuts only in the second congestive round in a row (bbrx's own rule;
 * BBRv3, and bbrx with loss_queue at 0, cut in the first). The test of
 * bbrx_round_loss_congestive() is passed by chance: bg_loss averages a few
 * packets a round, and at 2% random loss it wandered between 0.5 and 2.8%
 * (traced on 2026-12-06, 6.12, 10 transfers of 10 s); while it was low,
 * single rounds passed. Each pass cut the bounds, which only the next
 * probe forgets, 2-3 s later, and the cuts ratcheted down, each taking the
 * delivery of a round paced at bw_lo. Chance rarely passes twice in a row,
 * while a buffer that overflows keeps overflowing until the flow slows
 * down. The price: the cut comes one round later.
 *
 * Not in rounds of STARTUP's repair (bbrx_round_in_startup_repair(); bbrx's
 * own rule): cut for those losses, bw_lo took the delivery rate of a round
 * in recovery, 1-3% under the link, and held the first CRUISE there until
 * the first probe.
 */
static void bbrx_adapt_lower_bounds(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);
	bool lossy, cut;

	if (bbrx_is_probing_bw(b) || bbrx_round_in_startup_repair(b)) {
		b->prev_round_lossy = 0;
		return;
	}
	lossy = bbrx_round_loss_congestive(sk);
	cut = b->ecn_in_round ||
	      (lossy && (b->prev_round_lossy ||
			 !bbrx_tunable(&bbrx_tun_loss_queue)));
	b->prev_round_lossy = lossy;
	if (!cut)
		return;
	if (b->bw_lo == BBRX_INF)
		b->bw_lo = bbrx_max_bw(b);
	if (b->inflight_lo == BBRX_INF)
		b->inflight_lo = tcp_snd_cwnd(tcp_sk(sk));
	b->bw_lo = max(b->bw_latest, bbrx_scale_permille(b->bw_lo, &bbrx_tun_beta));
	b->inflight_lo = max(bbrx_bg_loss_comp(b, b->inflight_latest),
			     bbrx_scale_permille(b->inflight_lo, &bbrx_tun_beta));
}

/* Start counting signals of a new round trip. */
static void bbrx_end_round(struct sock *sk, const struct rate_sample *rs,
			   u32 bw)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);

	if (b->bg_wait_seq && !before(tp->snd_una, b->bg_loss_seq))
		b->bg_wait_seq = 0;
	b->bg_round_ok = !b->bg_wait_seq;
	b->round_lost_start = tp->lost;
	b->loss_in_round = 0;
	b->queue_in_round = 0;
	b->ecn_in_round = 0;
	b->loss_events_in_round = 0;
	b->round_rtt_cnt = 0;
	b->round_rtt_no_queue = 0;
	b->bw_latest = bw;
	b->inflight_latest = max(rs->delivered, 0);
	b->round_start_inflight = rs->prior_in_flight;
}

/*
 * Estimate the recent degree of ACK aggregation (wifi, cable, GRO, ACK
 * thinning): packets ACKed beyond what bw predicts since the epoch began.
 * The windowed max is added to cwnd so that sending goes on through the
 * silences between aggregated ACKs.
 */
static void bbrx_update_ack_aggregation(struct sock *sk,
					const struct rate_sample *rs)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 epoch_us, extra, win;
	u64 expected;

	if (!rs->acked_sacked || rs->delivered < 0 || rs->interval_us <= 0)
		return;

	if (b->round_start) {
		/* In STARTUP only the last round or two matter. */
		win = b->full_bw_reached ? bbrx_extra_acked_win_rounds : 1;
		if (b->extra_acked_win_rounds < 31)
			b->extra_acked_win_rounds++;
		if (b->extra_acked_win_rounds >= win) {
			b->extra_acked_win_rounds = 0;
			b->extra_acked_win_idx ^= 1;
			b->extra_acked[b->extra_acked_win_idx] = 0;
		}
	}

	/* u32 difference: epochs restart long before 71 minutes pass. */
	epoch_us = (u32)tp->delivered_mstamp - b->ack_epoch_stamp;
	expected = ((u64)bbrx_bw(b) * epoch_us) >> BW_SCALE;

	/* ACKs at or below the expected rate, or a stale epoch: restart. */
	if (b->ack_epoch_acked <= expected ||
	    b->ack_epoch_acked + rs->acked_sacked >= BBRX_ACKED_MAX) {
		b->ack_epoch_acked = 0;
		b->ack_epoch_stamp = (u32)tp->delivered_mstamp;
		expected = 0;
	}

	b->ack_epoch_acked = min_t(u32, BBRX_ACKED_MAX,
				   b->ack_epoch_acked + rs->acked_sacked);
	extra = b->ack_epoch_acked - (u32)expected;
	extra = min3(extra, tcp_snd_cwnd(tp), (u32)U16_MAX);
	if (extra > b->extra_acked[b->extra_acked_win_idx])
		b->extra_acked[b->extra_acked_win_idx] = extra;
}

/*
 * Could the round that just ended have shown bw growth? Its samples measure
 * what the flow had in flight as the round began; if that was under 1.25 x
 * the BDP of max_bw, the flow sent about as fast as it measured, and could
 * not have measured 25% more: the round says nothing about the path. In
 * STARTUP that happens when the sender falls behind its pacing rate without
 * running out of data (a busy CPU; the samples are not marked app-limited):
 * the round is skipped, like an app-limited one (bbrx's own rule; traced,
 * stalls ended BBRv3's STARTUP at 31-62% of the link in 3 of 66 clean
 * transfers, with 0.9-1.1 x that BDP in flight; in the others STARTUP sent
 * twice the BDP). A flow held back by the receive window, the send buffer
 * or cwnd has reached its ceiling: its rounds count. So do rounds with at
 * least half the flight the pacing rate allows over min_rtt, when that is
 * less than 1.25 x the BDP: a startup_gain near 1, or SO_MAX_PACING_RATE,
 * leaves nothing to grow into. PROBE_BW UP has its own flight test.
 */
static bool bbrx_round_could_grow(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	const struct bbrx *b = inet_csk_ca(sk);
	u32 mss = max_t(u32, tp->mss_cache, 1);
	u64 need, paced;

	if (b->state != BBRX_STARTUP || b->min_rtt_us == BBRX_INF ||
	    tp->is_cwnd_limited ||
	    tp->chrono_type == TCP_CHRONO_RWND_LIMITED ||
	    tp->chrono_type == TCP_CHRONO_SNDBUF_LIMITED)
		return true;
	need = bbrx_bdp(sk, bbrx_max_bw(b), bbrx_full_bw_growth);
	paced = mul_u64_u32_div((u64)READ_ONCE(sk->sk_pacing_rate) / mss,
				b->min_rtt_us, 2 * USEC_PER_SEC);
	return b->round_start_inflight >= min(need, paced);
}

/*
 * Has the pipe been filled? Yes once max_bw grew by less than 25% in three
 * rounds in a row that were not app-limited and could have grown
 * (bbrx_round_could_grow()). Used by STARTUP and by PROBE_BW UP.
 */
static void bbrx_check_full_bw_reached(struct sock *sk,
				       const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 max_bw = bbrx_max_bw(b);

	if (b->full_bw_now || !b->round_start || rs->is_app_limited)
		return;
	if ((u64)max_bw * BBR_UNIT >= (u64)b->full_bw * bbrx_full_bw_growth) {
		bbrx_reset_full_bw(b);
		b->full_bw = max_bw;
		return;
	}
	if (!bbrx_round_could_grow(sk))
		return;
	if (b->full_bw_cnt < bbrx_full_bw_rounds)
		b->full_bw_cnt++;
	b->full_bw_now = b->full_bw_cnt >= bbrx_full_bw_rounds;
	if (b->full_bw_now)
		b->full_bw_reached = 1;
}

/*
 * STARTUP also ends on congestion: on the ACK where the round so far, in
 * recovery and with a queue, has lost more than loss_thresh in at least
 * two loss events (BBRv3 waits for the end of the round: at STARTUP's pace
 * most of what a round sends beyond a shallow buffer is lost), or at the
 * end of the second round in a row with excess CE marks. Then the pipe is
 * full, and the flight that caused it bounds inflight_hi.
 *
 * BBRv3 wants six loss events, so that a few random losses do not end
 * STARTUP early. bbrx also wants a queue, which random loss does not
 * build, so two are enough (bbrx's own rule). Until STARTUP ends, each
 * loss found frees cwnd for a new packet, sent into the same full buffer:
 * in a 0.25-BDP buffer the sixth event came 7 ms after the second, with
 * 33 losses found instead of 9 (traced on 6.12, 20 Mbit/s, 40 ms,
 * 2026-12-06); the retransmits of 10 s flows fell by a seventh on 6.12
 * and by about a tenth on 6.1 (10 runs).
 */
static void bbrx_check_startup_congestion(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 lost = tp->lost - b->round_lost_start;
	bool loss_exit, ecn_exit = false;
	u32 delivered;

	/*
	 * What the round delivered: the largest sample of the round spans
	 * about one round trip (next_round_delivered already moved on).
	 */
	delivered = b->inflight_latest;

	if (b->round_start) {
		if (b->ecn_in_round) {
			if (b->startup_ecn_rounds < bbrx_startup_ecn_rounds)
				b->startup_ecn_rounds++;
		} else {
			b->startup_ecn_rounds = 0;
		}
		ecn_exit = b->startup_ecn_rounds >= bbrx_startup_ecn_rounds;
	}

	loss_exit = b->queue_in_round &&
		    inet_csk(sk)->icsk_ca_state >= TCP_CA_Recovery &&
		    b->loss_events_in_round >= bbrx_startup_loss_events &&
		    bbrx_loss_too_high(sk, lost + delivered);

	if (!loss_exit && !ecn_exit)
		return;
	b->full_bw_reached = 1;
	b->inflight_hi = max(bbrx_bdp(sk, bbrx_max_bw(b), BBR_UNIT),
			     b->inflight_latest);
	tcptune_stat_inc(sock_net(sk), loss_exit ?
			 TCPTUNE_STAT_BBRX_LOSS_BOUND :
			 TCPTUNE_STAT_BBRX_ECN_BOUND);
}

/*
 * STARTUP also ends when the first bbrx_startup_queue_samples RTT samples
 * of a round all show a queue (loss_queue above min_rtt): the flight sent a
 * round trip ago already exceeded the pipe, and this round sends twice as
 * much. In a shallow buffer that is earlier than the loss exit, which waits
 * for the overflow (bbrx's own rule, like CUBIC's HyStart delay check). Off
 * with loss_queue = 0. A sample taken with less than a BDP in flight does
 * not count: the flow cannot have built that queue, and its delay is the
 * host's (a stalled sender; traced, it ended STARTUP at 45% of the link
 * with 20 packets in flight) or other flows'. Samples that ended STARTUP
 * on a queue had 1.21 to 2.62 x the BDP in flight (145 exits traced).
 */
static void bbrx_check_startup_queue(struct sock *sk,
				     const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);

	if (!bbrx_tunable(&bbrx_tun_loss_queue) || rs->rtt_us <= 0 ||
	    b->round_rtt_cnt >= bbrx_startup_queue_samples)
		return;
	if (!bbrx_rtt_shows_queue(b, rs->rtt_us) ||
	    rs->prior_in_flight < bbrx_bdp(sk, bbrx_max_bw(b), BBR_UNIT))
		b->round_rtt_no_queue = 1;
	if (++b->round_rtt_cnt == bbrx_startup_queue_samples &&
	    !b->round_rtt_no_queue)
		b->full_bw_reached = 1;
}

static void bbrx_enter_drain(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	b->state = BBRX_DRAIN;
	/*
	 * bg_loss waits for STARTUP's packets (see bbrx_update_bg_loss()),
	 * also when PROBE_RTT cuts DRAIN short and goes on to CRUISE.
	 */
	b->bg_loss_seq = tcp_sk(sk)->snd_nxt;
	b->bg_wait_seq = 1;
	/* Not used by bbrx; shown in tcp_info as the estimated BDP. */
	tcp_sk(sk)->snd_ssthresh = bbrx_inflight(sk, bbrx_max_bw(b), BBR_UNIT);
}

static void bbrx_check_startup_done(struct sock *sk,
				    const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);

	if (b->state != BBRX_STARTUP)
		return;
	bbrx_check_startup_queue(sk, rs);
	bbrx_check_startup_congestion(sk);
	if (b->full_bw_reached)
		bbrx_enter_drain(sk);
}

/* Randomized wait until the next probe: 2-3 s, or 62-63 rounds at most. */
static void bbrx_pick_probe_wait(struct bbrx *b)
{
	b->rounds_since_bw_probe = get_random_u32_below(bbrx_reno_rounds_rand);
	b->probe_wait_ms = bbrx_probe_wait_base_ms +
			   get_random_u32_below(bbrx_probe_wait_rand_ms);
}

static void bbrx_start_probe_bw_down(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	bbrx_reset_congestion_signals(b);
	b->probe_up_cnt = BBRX_INF;
	bbrx_pick_probe_wait(b);
	b->cycle_stamp = tcp_jiffies32;
	b->ack_phase = BBRX_ACKS_PROBE_STOPPING;
	bbrx_start_round(sk);
	b->state = BBRX_PROBE_BW_DOWN;
}

static void bbrx_start_probe_bw_cruise(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	b->state = BBRX_PROBE_BW_CRUISE;
}

static void bbrx_start_probe_bw_refill(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	bbrx_reset_short_term_model(b);
	b->bw_probe_up_rounds = 0;
	b->bw_probe_up_acks = 0;
	b->ack_phase = BBRX_ACKS_REFILLING;
	bbrx_start_round(sk);
	b->state = BBRX_PROBE_BW_REFILL;
}

/*
 * In UP, inflight_hi grows by 1, 2, 4, ... packets per round, spread over
 * the round's ACKs: one packet per probe_up_cnt packets ACKed.
 */
static void bbrx_raise_inflight_hi_slope(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 growth = 1U << b->bw_probe_up_rounds;

	b->bw_probe_up_rounds = min_t(u32, b->bw_probe_up_rounds + 1,
				      bbrx_probe_up_rounds_max);
	b->probe_up_cnt = max(tcp_snd_cwnd(tcp_sk(sk)) / growth, 1U);
}

/*
 * How far the smoothed RTT is above min_rtt, in BBR_UNIT, at most 2: the
 * queue the path held before a probe, the flow's own (little, after a
 * round at 1.0 x bw) or other flows'.
 */
static u32 bbrx_rtt_gain(const struct sock *sk)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u64 gain;

	if (b->min_rtt_us == BBRX_INF || !b->min_rtt_us)
		return BBR_UNIT;
	gain = div_u64(((u64)tcp_sk(sk)->srtt_us >> 3) << BBR_SCALE,
		       b->min_rtt_us);
	return clamp_t(u64, gain, BBR_UNIT, 2 * BBR_UNIT);
}

static void bbrx_start_probe_bw_up(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	b->ack_phase = BBRX_ACKS_PROBE_STARTING;
	bbrx_start_round(sk);
	bbrx_reset_full_bw(b);
	b->full_bw = bbrx_max_bw(b);
	b->state = BBRX_PROBE_BW_UP;
	b->up_rtt_gain = bbrx_rtt_gain(sk);
	bbrx_raise_inflight_hi_slope(sk);
}

static void bbrx_enter_probe_bw(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	/*
	 * bg_loss waits for STARTUP's and DRAIN's packets: see
	 * bbrx_update_bg_loss().
	 */
	b->bg_loss_seq = tcp_sk(sk)->snd_nxt;
	b->bg_wait_seq = 1;
	b->bg_round_ok = 0;
	bbrx_start_probe_bw_down(sk);
}

/* DRAIN is done once in flight is down to the estimated BDP. */
static void bbrx_check_drain_done(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	if (b->state == BBRX_DRAIN &&
	    tcp_packets_in_flight(tcp_sk(sk)) <=
	    bbrx_inflight(sk, bbrx_max_bw(b), BBR_UNIT))
		bbrx_enter_probe_bw(sk);
}

/* Probe after as many rounds as Reno needs to grow by one BDP (<= 63). */
static bool bbrx_is_reno_coexistence_probe_time(const struct sock *sk)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u32 rounds = min(bbrx_target_inflight(sk), bbrx_reno_rounds_max);

	return b->rounds_since_bw_probe >= rounds;
}

/*
 * DOWN or CRUISE: time to probe again? If so, start REFILL. Not before the
 * last probe's feedback is in (ack_phase back to INIT, a round after DOWN
 * began): REFILL would take its place, and the max_bw filter would miss
 * its aging. That can only wait this long when the BDP is a packet or two.
 */
static bool bbrx_is_time_to_probe_bw(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 wait = msecs_to_jiffies(b->probe_wait_ms);

	if (b->ack_phase == BBRX_ACKS_PROBE_STOPPING)
		return false;
	if (time_after32(tcp_jiffies32, b->cycle_stamp + wait) ||
	    bbrx_is_reno_coexistence_probe_time(sk)) {
		bbrx_start_probe_bw_refill(sk);
		return true;
	}
	return false;
}

/* DOWN: drained below the BDP and below the headroom target? */
static bool bbrx_is_time_to_cruise(const struct sock *sk)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u32 inflight = tcp_packets_in_flight(tcp_sk(sk));

	if (inflight > bbrx_inflight_with_headroom(b))
		return false;
	return inflight <= bbrx_inflight(sk, bbrx_max_bw(b), BBR_UNIT);
}

/*
 * UP: stop probing when
 *  - the previous probe set inflight_hi, and in flight is back up to it:
 *    the next packets would likely overflow the buffer again, so this
 *    probe stops short and the next one goes beyond (as BBRv3 does);
 *  - after a round trip, in flight is up to 1.25 x bdp: the probe has
 *    built the queue a bandwidth probe needs (from BBRv2; BBRv3 dropped
 *    it and lets the queue grow until bw stops growing). The bdp is at
 *    the RTT the probe began with (up to 2 x min_rtt; bbrx's own rule):
 *    behind a queue other flows hold, a flight of 1.25 x max_bw x min_rtt
 *    delivers less than max_bw, so a probe stopped there could never
 *    measure more, and max_bw shrank cycle after cycle against CUBIC;
 *  - bw stopped growing. While inflight_hi is what limits the flow, the
 *    bw plateau says nothing: restart the search.
 */
static bool bbrx_is_time_to_go_down(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 inflight = tcp_packets_in_flight(tp);

	if (b->prev_probe_too_high && inflight >= b->inflight_hi)
		return true;
	if (b->ack_phase == BBRX_ACKS_PROBE_FEEDBACK &&
	    inflight >= bbrx_inflight(sk, bbrx_max_bw(b),
				      bbrx_probe_up_gain * b->up_rtt_gain >>
				      BBR_SCALE))
		return true;
	if (tp->is_cwnd_limited && tcp_snd_cwnd(tp) >= b->inflight_hi) {
		bbrx_reset_full_bw(b);
		b->full_bw = bbrx_max_bw(b);
		return false;
	}
	return b->full_bw_now;
}

/* UP: raise inflight_hi while it is what limits cwnd. */
static void bbrx_probe_inflight_hi_upward(struct sock *sk,
					  const struct rate_sample *rs)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 acks, delta, cnt;

	if (!tp->is_cwnd_limited || tcp_snd_cwnd(tp) < b->inflight_hi)
		return;
	cnt = max(b->probe_up_cnt, 1U);
	acks = b->bw_probe_up_acks + min(rs->acked_sacked, BBRX_ACKED_MAX);
	if (acks >= cnt) {
		delta = acks / cnt;
		acks -= delta * cnt;
		b->inflight_hi = min(b->inflight_hi + delta, BBRX_CWND_MAX);
	}
	b->bw_probe_up_acks = min(acks, BBRX_ACKED_MAX);
	if (b->round_start)
		bbrx_raise_inflight_hi_slope(sk);
}

/*
 * Track which ACKs answer a probe, age the max_bw filter once per cycle,
 * and raise inflight_hi when the flight it allows proved safe.
 */
static void bbrx_adapt_upper_bounds(struct sock *sk,
				    const struct rate_sample *rs,
				    bool too_high)
{
	struct bbrx *b = inet_csk_ca(sk);

	if (b->ack_phase == BBRX_ACKS_PROBE_STARTING && b->round_start)
		b->ack_phase = BBRX_ACKS_PROBE_FEEDBACK;
	if (b->ack_phase == BBRX_ACKS_PROBE_STOPPING && b->round_start) {
		/* The probe's last samples are in: best time to age max_bw. */
		b->bw_probe_samples = 0;
		b->ack_phase = BBRX_ACKS_INIT;
		if (bbrx_in_probe_bw(b) && !rs->is_app_limited)
			bbrx_advance_max_bw_filter(b);
	}

	/*
	 * BBRv3 also raises inflight_hi to the flight of any packet ACKed
	 * without excess loss. Without a per-packet flight, bbrx only raises
	 * it in UP, where the flight is the probe's own (see the header).
	 */
	if (too_high || b->inflight_hi == BBRX_INF ||
	    b->state != BBRX_PROBE_BW_UP)
		return;
	bbrx_probe_inflight_hi_upward(sk, rs);
}

/* The PROBE_BW cycle: DOWN -> CRUISE -> REFILL -> UP -> DOWN. */
static void bbrx_update_probe_bw_phase(struct sock *sk,
				       const struct rate_sample *rs,
				       bool too_high)
{
	struct bbrx *b = inet_csk_ca(sk);

	if (!b->full_bw_reached)
		return;
	bbrx_adapt_upper_bounds(sk, rs, too_high);

	switch (b->state) {
	case BBRX_PROBE_BW_DOWN:
		if (bbrx_is_time_to_probe_bw(sk))
			break;
		if (bbrx_is_time_to_cruise(sk))
			bbrx_start_probe_bw_cruise(sk);
		break;
	case BBRX_PROBE_BW_CRUISE:
		bbrx_is_time_to_probe_bw(sk);
		break;
	case BBRX_PROBE_BW_REFILL:
		/* One round at bw filled the pipe: now probe. */
		if (b->round_start) {
			b->bw_probe_samples = 1;
			bbrx_start_probe_bw_up(sk);
		}
		break;
	case BBRX_PROBE_BW_UP:
		if (bbrx_is_time_to_go_down(sk)) {
			b->prev_probe_too_high = 0;
			bbrx_start_probe_bw_down(sk);
		}
		break;
	default:
		break;
	}
}

/*
 * min_rtt: probe_rtt_min_us tracks the min RTT of the current interval
 * (probe_rtt_interval); min_rtt_us takes it when it is lower, or when
 * min_rtt_us is older than two intervals. A sample within 1/32 of
 * probe_rtt_min_us shows the queue is already empty, which is all a
 * PROBE_RTT would show: it restarts the interval (bbrx's own rule).
 */
static void bbrx_update_min_rtt(struct sock *sk, const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 interval = bbrx_probe_rtt_interval_jiffies();
	u32 now = tcp_jiffies32;
	bool min_rtt_expired;
	u64 near_min;

	b->probe_rtt_expired = time_after32(now, b->probe_rtt_min_stamp +
					    interval);
	near_min = (u64)b->probe_rtt_min_us +
		   (b->probe_rtt_min_us >> bbrx_min_rtt_near_shift);
	if (rs->rtt_us >= 0 && rs->rtt_us < BBRX_INF) {
		if (rs->rtt_us <= near_min) {
			b->probe_rtt_min_us = min_t(u32, b->probe_rtt_min_us,
						    rs->rtt_us);
			b->probe_rtt_min_stamp = now;
			b->probe_rtt_expired = 0;
		} else if (b->probe_rtt_expired) {
			b->probe_rtt_min_us = rs->rtt_us;
			b->probe_rtt_min_stamp = now;
		}
	}

	min_rtt_expired = time_after32(now, b->min_rtt_stamp +
				       bbrx_min_rtt_win_intervals * interval);
	if (b->probe_rtt_min_us < b->min_rtt_us || min_rtt_expired) {
		b->min_rtt_us = b->probe_rtt_min_us;
		b->min_rtt_stamp = b->probe_rtt_min_stamp;
	}
}

static void bbrx_enter_startup(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	b->state = BBRX_STARTUP;
	b->startup_ecn_rounds = 0;
}

static void bbrx_exit_probe_rtt(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	bbrx_reset_short_term_model(b);
	if (b->full_bw_reached) {
		/* Inflight is already low: skip DOWN, keep its timing. */
		bbrx_start_probe_bw_down(sk);
		bbrx_start_probe_bw_cruise(sk);
	} else {
		bbrx_enter_startup(sk);
	}
}

/* PROBE_RTT done after probe_rtt_duration and one round at low inflight. */
static void bbrx_check_probe_rtt_done(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);

	if (!b->probe_rtt_done_stamp ||
	    !time_after32(tcp_jiffies32, b->probe_rtt_done_stamp))
		return;
	b->probe_rtt_min_stamp = tcp_jiffies32;	/* next one in an interval */
	tcp_snd_cwnd_set(tp, max(tcp_snd_cwnd(tp), b->prior_cwnd));
	bbrx_exit_probe_rtt(sk);
}

static void bbrx_enter_probe_rtt(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	bbrx_save_cwnd(sk);
	b->state = BBRX_PROBE_RTT;
	b->probe_rtt_done_stamp = 0;
	b->ack_phase = BBRX_ACKS_PROBE_STOPPING;
	bbrx_start_round(sk);
	tcptune_stat_inc(sock_net(sk), TCPTUNE_STAT_BBRX_PROBE_RTT);
}

static void bbrx_handle_probe_rtt(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 duration;

	/* Samples at this low rate say nothing about the path's bw. */
	tp->app_limited = (tp->delivered + tcp_packets_in_flight(tp)) ? : 1;

	if (!b->probe_rtt_done_stamp &&
	    tcp_packets_in_flight(tp) <= bbrx_probe_rtt_cwnd(sk)) {
		duration = bbrx_tunable(&bbrx_tun_probe_rtt_duration);
		b->probe_rtt_done_stamp =
			(tcp_jiffies32 + msecs_to_jiffies(duration)) ? : 1;
		b->probe_rtt_round_done = 0;
		bbrx_start_round(sk);
	} else if (b->probe_rtt_done_stamp) {
		if (b->round_start)
			b->probe_rtt_round_done = 1;
		if (b->probe_rtt_round_done)
			bbrx_check_probe_rtt_done(sk);
	}
}

/*
 * Enter PROBE_RTT when the interval's min RTT expired, unless the flow is
 * just back from idle (idling drained the queue as well as PROBE_RTT).
 */
static void bbrx_check_probe_rtt(struct sock *sk, const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);

	if (b->state != BBRX_PROBE_RTT && b->probe_rtt_expired &&
	    !b->idle_restart)
		bbrx_enter_probe_rtt(sk);
	if (b->state == BBRX_PROBE_RTT)
		bbrx_handle_probe_rtt(sk);
	if (rs->delivered > 0)
		b->idle_restart = 0;
}

/*
 * cwnd through loss recovery: packets newly marked lost leave cwnd (an ACK
 * releases no more than it delivered), and leaving recovery restores the
 * last good cwnd; the model bounds then apply on top.
 */
static u32 bbrx_cwnd_after_recovery(struct sock *sk,
				    const struct rate_sample *rs)
{
	struct bbrx *b = inet_csk_ca(sk);
	u8 ca_state = inet_csk(sk)->icsk_ca_state;
	u32 cwnd = tcp_snd_cwnd(tcp_sk(sk));

	if (rs->losses > 0)
		cwnd = max_t(s64, (s64)cwnd - rs->losses, 1);
	if (b->prev_ca_state >= TCP_CA_Recovery && ca_state < TCP_CA_Recovery)
		cwnd = max(cwnd, b->prior_cwnd);
	b->prev_ca_state = ca_state;
	return cwnd;
}

/*
 * Grow cwnd by what was ACKed toward the model's max inflight (without the
 * bound until the pipe is first full), cut it to the bound at once, and
 * apply the PROBE_RTT and congestion caps.
 */
static void bbrx_set_cwnd(struct sock *sk, const struct rate_sample *rs,
			  u32 bw)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 acked = rs->acked_sacked;
	u32 cwnd, target;

	cwnd = bbrx_cwnd_after_recovery(sk, rs);
	if (acked) {
		target = bbrx_max_inflight(sk, bw);
		if (b->full_bw_reached)
			cwnd = min(cwnd + acked, target);
		else if (cwnd < target || tp->delivered < TCP_INIT_CWND)
			cwnd += acked;
		cwnd = max(cwnd, bbrx_min_pipe_cwnd);
	}
	if (b->state == BBRX_PROBE_RTT)
		cwnd = min(cwnd, bbrx_probe_rtt_cwnd(sk));
	cwnd = min(cwnd, bbrx_cwnd_cap_for_model(b));
	tcp_snd_cwnd_set(tp, min(cwnd, tp->snd_cwnd_clamp));
}

/* Per ACK: update the model and the state machine, then the controls. */
static TCPTUNE_CONG_CONTROL(bbrx_main)
{
	struct bbrx *b = inet_csk_ca(sk);
	u32 bw_sample = bbrx_bw_sample(rs);
	bool too_high;
	u32 bw;

	bbrx_update_round(sk, rs);
	bbrx_update_latest_delivery(b, rs, bw_sample);
	bbrx_update_max_bw(b, rs, bw_sample);
	too_high = bbrx_note_congestion(sk, rs);
	if (b->round_start)
		bbrx_adapt_lower_bounds(sk);
	bbrx_update_ack_aggregation(sk, rs);
	bbrx_check_full_bw_reached(sk, rs);
	bbrx_check_startup_done(sk, rs);
	bbrx_check_drain_done(sk);
	if (b->round_start)
		bbrx_update_bg_loss(sk);
	bbrx_update_probe_bw_phase(sk, rs, too_high);
	bbrx_update_min_rtt(sk, rs);
	bbrx_check_probe_rtt(sk, rs);
	if (b->round_start)
		bbrx_end_round(sk, rs, bw_sample);

	bw = bbrx_bw(b);
	bbrx_set_pacing_rate(sk, bw, bbrx_pacing_gain(b));
	bbrx_set_cwnd(sk, rs, bw);
}

static void bbrx_init(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);
	u32 now = tcp_jiffies32;

	memset(b, 0, sizeof(*b));
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;

	b->min_rtt_us = tcp_min_rtt(tp);	/* BBRX_INF if none yet */
	b->min_rtt_stamp = now;
	b->probe_rtt_min_us = b->min_rtt_us;
	b->probe_rtt_min_stamp = now;
	b->next_round_delivered = tp->delivered;
	b->round_lost_start = tp->lost;
	b->prev_ca_state = TCP_CA_Open;
	b->bw_lo = BBRX_INF;
	b->inflight_lo = BBRX_INF;
	b->inflight_hi = BBRX_INF;
	b->round_start_inflight = BBRX_INF;
	b->probe_up_cnt = BBRX_INF;
	b->ack_epoch_stamp = (u32)tp->tcp_mstamp;
	b->state = BBRX_STARTUP;
	b->ack_phase = BBRX_ACKS_INIT;
	bbrx_init_pacing_rate(sk);

	/* Pace in TCP itself when the qdisc is not fq. */
	cmpxchg(&sk->sk_pacing_status, SK_PACING_NONE, SK_PACING_NEEDED);
	tcptune_stat_inc(sock_net(sk), TCPTUNE_STAT_BBRX_FLOWS);
}

/* Restarting from idle: pace at bw, and maybe end PROBE_RTT right away. */
static void bbrx_cwnd_event(struct sock *sk, enum tcp_ca_event event)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);

	if (event != CA_EVENT_TX_START || !tp->app_limited)
		return;
	b->idle_restart = 1;
	b->ack_epoch_stamp = (u32)tp->tcp_mstamp;
	b->ack_epoch_acked = 0;
	if (bbrx_in_probe_bw(b))
		bbrx_set_pacing_rate(sk, bbrx_bw(b), BBR_UNIT);
	else if (b->state == BBRX_PROBE_RTT)
		bbrx_check_probe_rtt_done(sk);
}

/* Entering recovery (fast, RTO or ECN CWR): remember the good cwnd. */
static u32 bbrx_ssthresh(struct sock *sk)
{
	bbrx_save_cwnd(sk);
	return tcp_sk(sk)->snd_ssthresh;
}

/*
 * Recovery was spurious: the losses that cut the model did not happen.
 * Forget the short-term bounds and restore the cwnd of before.
 */
static u32 bbrx_undo_cwnd(struct sock *sk)
{
	struct bbrx *b = inet_csk_ca(sk);

	bbrx_reset_full_bw(b);
	b->loss_in_round = 0;
	bbrx_reset_short_term_model(b);
	if (b->inflight_hi != BBRX_INF)
		b->inflight_hi = max(b->inflight_hi, b->prior_cwnd);
	return max(tcp_snd_cwnd(tcp_sk(sk)), b->prior_cwnd);
}

/*
 * An RTO counts as a loss in the round. The path may have changed, so the
 * plateau search restarts; if a probe was in flight, it overshot: judge it
 * like a probe that saw too much loss. The flight the lost packets went out
 * in was at most the cwnd of before the timeout (tcp_enter_loss() has just
 * cut cwnd to what is still in flight + 1, about 1, and saved the old one
 * through ssthresh) and the flight at the start of the round. Unlike
 * bbrx_tx_inflight(), no bound by the round's delivery: an RTO is as often
 * the path going silent as a buffer overflowing, and what a round cut
 * short by an outage delivered says nothing of the buffer.
 */
static void bbrx_set_state(struct sock *sk, u8 new_state)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx *b = inet_csk_ca(sk);

	if (new_state != TCP_CA_Loss)
		return;

	b->prev_ca_state = TCP_CA_Loss;
	b->rto_in_cycle = 1;
	bbrx_reset_full_bw(b);
	b->loss_in_round = 1;
	if (b->loss_events_in_round < BBRX_LOSS_EVENTS_MAX)
		b->loss_events_in_round++;
	/* cwnd is already cut to inflight + 1: start from the saved one. */
	if (!bbrx_is_probing_bw(b) && b->inflight_lo == BBRX_INF)
		b->inflight_lo = max(tcp_snd_cwnd(tp), b->prior_cwnd);
	if (b->bw_probe_samples)
		bbrx_handle_inflight_too_high(sk,
					      min(b->prior_cwnd,
						  b->round_start_inflight),
					      tp->app_limited, true);
}

/* BBR may grow cwnd quickly even in recovery: 3 x cwnd of send buffer. */
static u32 bbrx_sndbuf_expand(struct sock *sk)
{
	return 3;
}

/* Model in bytes per second, for INET_DIAG_BBRINFO ("ss -ti"). */
static u64 bbrx_bw_bytes_per_sec(const struct sock *sk, u32 bw)
{
	return mul_u64_u32_shr((u64)bw * tcp_sk(sk)->mss_cache, USEC_PER_SEC,
			       BW_SCALE);
}

static size_t bbrx_get_info(struct sock *sk, u32 ext, int *attr,
			    union tcp_cc_info *info)
{
	const struct bbrx *b = inet_csk_ca(sk);
	u64 bw;

	if (!(ext & (1 << (INET_DIAG_BBRINFO - 1))) &&
	    !(ext & (1 << (INET_DIAG_VEGASINFO - 1))))
		return 0;

	bw = bbrx_bw_bytes_per_sec(sk, bbrx_bw(b));
	memset(&info->bbr, 0, sizeof(info->bbr));
	info->bbr.bbr_bw_lo = (u32)bw;
	info->bbr.bbr_bw_hi = (u32)(bw >> 32);
	info->bbr.bbr_min_rtt = b->min_rtt_us == BBRX_INF ? 0 : b->min_rtt_us;
	info->bbr.bbr_pacing_gain = bbrx_pacing_gain(b);
	info->bbr.bbr_cwnd_gain = bbrx_cwnd_gain(b);
	*attr = INET_DIAG_BBRINFO;
	return sizeof(info->bbr);
}

static struct tcp_congestion_ops bbrx_cong_ops __read_mostly = {
	.flags		= TCP_CONG_NON_RESTRICTED,
	.name		= "bbrx",
	.owner		= THIS_MODULE,
	.init		= bbrx_init,
	.cong_control	= bbrx_main,
	.sndbuf_expand	= bbrx_sndbuf_expand,
	.undo_cwnd	= bbrx_undo_cwnd,
	.cwnd_event	= bbrx_cwnd_event,
	.ssthresh	= bbrx_ssthresh,
	.min_tso_segs	= bbrx_min_tso_segs,
	.get_info	= bbrx_get_info,
	.set_state	= bbrx_set_state,
};

/*
 * debugfs "bbrx_flows": one line per established bbrx socket, in every
 * network namespace. No state is kept per socket for this: the file walks
 * the TCP established hash tables like inet_diag does, holding net_rwsem
 * (read) so that the namespace list and their tables stay put, and each
 * bucket's lock while reading its sockets. Namespaces share one table
 * unless tcp_child_ehash_entries gave them their own, so each distinct
 * table is walked once, and the netns column (its inode number, as in
 * /proc/PID/ns/net) tells the flows apart. The congestion state is copied
 * racily from the live socket: good enough for a debug view, and safe, as
 * a socket in the hash is not freed while its bucket lock is held.
 */
#define BBRX_FLOWS_MAX	1024	/* lines shown, to bound the output */

static struct dentry *bbrx_debugfs_flows;

static const char *bbrx_state_name(unsigned int state)
{
	static const char * const names[] = {
		[BBRX_STARTUP]		= "startup",
		[BBRX_DRAIN]		= "drain",
		[BBRX_PROBE_BW_DOWN]	= "probe_bw:down",
		[BBRX_PROBE_BW_CRUISE]	= "probe_bw:cruise",
		[BBRX_PROBE_BW_REFILL]	= "probe_bw:refill",
		[BBRX_PROBE_BW_UP]	= "probe_bw:up",
		[BBRX_PROBE_RTT]	= "probe_rtt",
	};

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

static void bbrx_show_bound(struct seq_file *m, u32 v)
{
	if (v == BBRX_INF)
		seq_puts(m, " -");
	else
		seq_printf(m, " %u", v);
}

static void bbrx_show_flow(struct seq_file *m, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct bbrx snap;

	memcpy(&snap, inet_csk_ca(sk), sizeof(snap));

	seq_printf(m, "%u ", sock_net(sk)->ns.inum);
	if (sk->sk_family == AF_INET)
		seq_printf(m, "%pI4:%u %pI4:%u", &sk->sk_rcv_saddr, sk->sk_num,
			   &sk->sk_daddr, ntohs(sk->sk_dport));
#if IS_ENABLED(CONFIG_IPV6)
	else
		seq_printf(m, "[%pI6c]:%u [%pI6c]:%u", &sk->sk_v6_rcv_saddr,
			   sk->sk_num, &sk->sk_v6_daddr, ntohs(sk->sk_dport));
#endif
	seq_printf(m, " %s %llu", bbrx_state_name(snap.state),
		   bbrx_bw_bytes_per_sec(sk, bbrx_bw(&snap)) * 8);
	bbrx_show_bound(m, snap.min_rtt_us);
	bbrx_show_bound(m, snap.inflight_hi);
	bbrx_show_bound(m, snap.inflight_lo);
	seq_printf(m, " %llu %u %u\n", (u64)READ_ONCE(sk->sk_pacing_rate) * 8,
		   tcp_snd_cwnd(tp),
		   (u32)(((u64)snap.bg_loss * 1000000) >> BBRX_BG_LOSS_SCALE));
}

/* Show the bbrx sockets of one table; false once the output is full. */
static bool bbrx_show_ehash(struct seq_file *m, struct inet_hashinfo *h,
			    unsigned int *shown)
{
	unsigned int i;

	for (i = 0; i <= h->ehash_mask; i++) {
		struct inet_ehash_bucket *head = &h->ehash[i];
		spinlock_t *lock = inet_ehash_lockp(h, i);
		struct hlist_nulls_node *node;
		bool full = false;
		struct sock *sk;

		if (!(i % 1024))
			cond_resched();
		if (hlist_nulls_empty(&head->chain))
			continue;

		spin_lock_bh(lock);
		sk_nulls_for_each(sk, node, &head->chain) {
			if (!sk_fullsock(sk) ||
			    READ_ONCE(inet_csk(sk)->icsk_ca_ops) !=
			    &bbrx_cong_ops)
				continue;
			if (*shown >= BBRX_FLOWS_MAX || seq_has_overflowed(m)) {
				full = true;
				break;
			}
			bbrx_show_flow(m, sk);
			(*shown)++;
		}
		spin_unlock_bh(lock);
		if (full)
			return false;
	}
	return true;
}

static int bbrx_flows_show(struct seq_file *m, void *v)
{
	struct inet_hashinfo *shared = init_net.ipv4.tcp_death_row.hashinfo;
	unsigned int shown = 0;
	bool complete = true;
	struct net *net;

	seq_puts(m, "netns local remote state bw_bps min_rtt_us inflight_hi inflight_lo pacing_bps cwnd bg_loss_ppm\n");
	down_read(&net_rwsem);
	for_each_net(net) {
		struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;

		if (net != &init_net && h == shared)
			continue;	/* walked with init_net */
		complete = bbrx_show_ehash(m, h, &shown);
		if (!complete)
			break;
	}
	up_read(&net_rwsem);
	if (!complete && shown >= BBRX_FLOWS_MAX)
		seq_printf(m, "# truncated after %u flows\n", shown);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bbrx_flows);

int bbrx_register(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct bbrx) > ICSK_CA_PRIV_SIZE);
	BUILD_BUG_ON(BBRX_STARTUP != 0 || BBRX_PROBE_RTT >= (1 << 3));

	err = tcp_register_congestion_control(&bbrx_cong_ops);
	if (err)
		return err;

	/* debugfs is a debugging aid: bbrx works without the file. */
	if (tcptune_debugfs) {
		bbrx_debugfs_flows = debugfs_create_file("bbrx_flows", 0400,
							 tcptune_debugfs, NULL,
							 &bbrx_flows_fops);
		if (IS_ERR(bbrx_debugfs_flows))
			bbrx_debugfs_flows = NULL;
	}
	return 0;
}

void bbrx_unregister(void)
{
	debugfs_remove(bbrx_debugfs_flows);
	bbrx_debugfs_flows = NULL;
	tcp_unregister_congestion_control(&bbrx_cong_ops);
}
