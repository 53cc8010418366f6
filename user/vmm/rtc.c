// SPDX-License-Identifier: GPL-2.0
/*
 * The MC146818 CMOS RTC at 0x70 (index) / 0x71 (data), read only.
 *
 * Without ACPI the kernel reads the wall clock from here at boot, and its
 * reader waits while the update-in-progress bit is set: an all-ones
 * answer from a missing device would stall it. We answer the host's UTC
 * time in BCD, 24-hour mode, never updating, battery good. Writes to the
 * time and control registers are ignored (the guest cannot set our
 * clock); the remaining bytes are plain NVRAM.
 */
#include <string.h>
#include <time.h>

#include "vm_priv.h"

#define RTC_SECONDS		0x00
#define RTC_MINUTES		0x02
#define RTC_HOURS		0x04
#define RTC_DAY_OF_WEEK		0x06
#define RTC_DAY_OF_MONTH	0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a	/* UIP clear, 32.768 kHz divider */
#define RTC_REG_B		0x0b	/* 24-hour, BCD, no interrupts */
#define RTC_REG_C		0x0c	/* no interrupt flags */
#define RTC_REG_D		0x0d	/* VRT: the battery is fine */
#define RTC_CENTURY		0x32

static uint8_t bcd(unsigned int v)
{
	return (v / 10) << 4 | (v % 10);
}

static uint8_t read_reg(struct vmm_rtc *rtc, uint8_t idx)
{
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	switch (idx) {
	case RTC_SECONDS:	return bcd(tm.tm_sec);
	case RTC_MINUTES:	return bcd(tm.tm_min);
	case RTC_HOURS:		return bcd(tm.tm_hour);
	case RTC_DAY_OF_WEEK:	return bcd(tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:	return bcd(tm.tm_mday);
	case RTC_MONTH:		return bcd(tm.tm_mon + 1);
	case RTC_YEAR:		return bcd(tm.tm_year % 100);
	case RTC_CENTURY:	return bcd((tm.tm_year + 1900) / 100);
	case RTC_REG_A:		return 0x26;
	case RTC_REG_B:		return 0x02;
	case RTC_REG_C:		return 0x00;
	case RTC_REG_D:		return 0x80;
	default:		return rtc->nvram[idx];
	}
}

void vmm_rtc__io(struct ktstr_vm *vm, uint16_t port, bool is_write,
		 uint8_t *data)
{
	struct vmm_rtc *rtc = &vm->rtc;

	pthread_mutex_lock(&rtc->lock);
	if (port == 0x70) {
		if (is_write)
			rtc->index = *data & 0x7f;	/* bit 7 masks NMIs */
		else
			*data = 0xff;
	} else if (is_write) {
		if (rtc->index > RTC_REG_D && rtc->index != RTC_CENTURY)
			rtc->nvram[rtc->index] = *data;
	} else {
		*data = read_reg(rtc, rtc->index);
	}
	pthread_mutex_unlock(&rtc->lock);
}

void vmm_rtc__init(struct ktstr_vm *vm)
{
	pthread_mutex_init(&vm->rtc.lock, NULL);
	memset(vm->rtc.nvram, 0, sizeof(vm->rtc.nvram));
}

void vmm_rtc__exit(struct ktstr_vm *vm)
{
	pthread_mutex_destroy(&vm->rtc.lock);
}
