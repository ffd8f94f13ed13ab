/* Application timers on the endpoint: pjsip_endpt_schedule_timer (a macro
 * over the _dbg symbol), pjsip_endpt_cancel_timer and pj_timer_entry_init,
 * run by pjsip_endpt_handle_events. */
#include "regc_harness.h"

static int fired[8], fire_count, seen_timer_id, seen_id;
static void *seen_user_data;
static pj_timer_heap_t *seen_heap;
static int reschedule;

static void on_timer(pj_timer_heap_t *th, pj_timer_entry *e)
{
    if (fire_count < 8)
        fired[fire_count] = e->id;
    fire_count++;
    seen_timer_id = e->_timer_id;
    seen_id = e->id;
    seen_user_data = e->user_data;
    seen_heap = th;
    if (reschedule > 0) {
        pj_time_val d = {0, 20};
        reschedule--;
        CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, e, &d), PJ_SUCCESS);
    }
}

static void reset(void)
{
    memset(fired, 0, sizeof(fired));
    fire_count = seen_timer_id = seen_id = 0;
    seen_user_data = NULL;
    seen_heap = NULL;
    reschedule = 0;
}

static void test_fire_in_order(void)
{
    pj_timer_entry a, b;
    /* Far apart, so that a loaded machine (the test runs under ASan beside
     * other suites) cannot stretch the first poll past the later timer. */
    pj_time_val da = {0, 600}, db = {0, 40};
    int marker = 7;
    reset();
    h_setup(NULL);
    CHECK(pj_timer_entry_init(&a, 1, &marker, &on_timer) == &a);
    CHECK(pj_timer_entry_init(&b, 2, NULL, &on_timer) == &b);
    CHECK(a._timer_id < 1);
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &a, &da), PJ_SUCCESS);
    CHECK(a._timer_id > 0);
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &b, &db), PJ_SUCCESS);
    h_poll(250);
    CHECK_INT(fire_count, 1);
    CHECK_INT(fired[0], 2);
    h_poll(600);
    CHECK_INT(fire_count, 2);
    CHECK_INT(fired[1], 1);
    CHECK_INT(seen_timer_id, -1); /* no longer scheduled inside its callback */
    CHECK_INT(seen_id, 1);
    CHECK(seen_user_data == &marker);
    CHECK(seen_heap == pjsip_endpt_get_timer_heap(H.endpt));
    CHECK(seen_heap != NULL);
    h_teardown();
}

static void test_cancel_and_reschedule(void)
{
    pj_timer_entry a;
    pj_time_val d = {0, 50};
    reset();
    h_setup(NULL);
    pj_timer_entry_init(&a, 3, NULL, &on_timer);
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &a, &d), PJ_SUCCESS);
    pjsip_endpt_cancel_timer(H.endpt, &a);
    CHECK(a._timer_id < 1);
    pjsip_endpt_cancel_timer(H.endpt, &a); /* not scheduled: nothing */
    h_poll(120);
    CHECK_INT(fire_count, 0);
    /* A callback may schedule its own entry again. */
    reschedule = 2;
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &a, &d), PJ_SUCCESS);
    h_poll(250);
    CHECK_INT(fire_count, 3);
    /* A zero delay fires on the next poll. */
    pj_time_val zero = {0, 0};
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &a, &zero), PJ_SUCCESS);
    h_poll(20);
    CHECK_INT(fire_count, 4);
    /* Still scheduled when the endpoint goes: never called. */
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &a, &d), PJ_SUCCESS);
    h_teardown();
    CHECK_INT(fire_count, 4);
}

/* Last: a pjproject debug build asserts here (a release build returns
 * PJ_EINVALIDOP, as we do). */
static void test_scheduled_twice(void)
{
    pj_timer_entry a;
    pj_time_val d = {0, 50};
    reset();
    h_setup(NULL);
    pj_timer_entry_init(&a, 4, NULL, &on_timer);
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &a, &d), PJ_SUCCESS);
    CHECK_INT(pjsip_endpt_schedule_timer(H.endpt, &a, &d), PJ_EINVALIDOP);
    h_poll(100);
    CHECK_INT(fire_count, 1);
    h_teardown();
}

int main(void)
{
    test_fire_in_order();
    test_cancel_and_reschedule();
    test_scheduled_twice();
    return h_summary("test_timers");
}
